/**
 * The whole real-Hono suite again with `overrideGlobalResponse: false`: the real `Response`, its
 * body read as a stream, with the same observable behaviour (status, headers, multiple set-cookie,
 * bodies, streaming, disconnect aborting) as the default lightweight path.
 */
import { afterAll, expect } from 'vitest';
import { honoSuite } from './support/hono-suite.js';

const NativeResponse = globalThis.Response;
honoSuite.overrideGlobalResponse = false;
afterAll(() => {
  // Nothing swapped the global: every Response of the suite was the real one.
  expect(globalThis.Response).toBe(NativeResponse);
});
await import('./frameworks-hono.test.js');
