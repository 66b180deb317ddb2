/** Guards the public surface: adding or removing an export must be a deliberate change here. */
import { expect, test } from 'vitest';
import * as channels from '../src/index.js';

test('the package exports exactly these runtime values', () => {
  expect(Object.keys(channels).sort()).toEqual([
    'ChannelError',
    'ChannelLayer',
    'createChannelLayer',
    'memoryBackend',
    'redisBackend',
  ]);
});
