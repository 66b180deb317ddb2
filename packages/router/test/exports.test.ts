/** Guards the public surface: adding or removing an export must be a deliberate change here. */
import { expect, test } from 'vitest';
import * as router from '../src/index.js';

test('the package exports exactly these runtime values', () => {
  expect(Object.keys(router).sort()).toEqual([
    'Group',
    'ROUTER_SCOPE_KEY',
    'Registrar',
    'Router',
    'RouterError',
    'getParams',
    'getRoute',
  ]);
  expect(router.ROUTER_SCOPE_KEY.name).toBe('pagi.router');
});
