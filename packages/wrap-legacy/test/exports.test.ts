/** Guards the public surface: adding or removing an export must be a deliberate change here. */
import { expect, test } from 'vitest';
import * as legacy from '../src/index.js';

test('the package exports exactly these runtime values', () => {
  expect(Object.keys(legacy).sort()).toEqual([
    'WrapLegacyError',
    'consoleLogger',
    'fromCGI',
    'fromFetchHandler',
    'fromNodeHandler',
    'installFastResponse',
    'toFetchHandler',
  ]);
});
