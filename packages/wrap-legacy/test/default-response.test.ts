/**
 * fromFetchHandler swaps in the lightweight Response by default (as @hono/node-server's
 * `overrideGlobalObjects` does), and only while the global is the runtime's own. One process per
 * test file, so the global starts native here; the tests run in order and build on each other.
 */
import { expect, test } from 'vitest';
import { FastResponse } from '../src/internal/fast-response.js';
import { fromFetchHandler, installFastResponse } from '../src/index.js';

const NativeResponse = globalThis.Response;
const handler = () => new Response('hi');

test('overrideGlobalResponse: false leaves the native Response', () => {
  fromFetchHandler(handler, { overrideGlobalResponse: false });
  expect(globalThis.Response).toBe(NativeResponse);
});

test('a Response someone else installed is left alone', () => {
  class Theirs extends NativeResponse {}
  globalThis.Response = Theirs;
  try {
    fromFetchHandler(handler);
    expect(globalThis.Response).toBe(Theirs);
  } finally {
    globalThis.Response = NativeResponse;
  }
});

test('by default, building the app installs the lightweight Response', () => {
  fromFetchHandler(handler);
  expect(globalThis.Response).toBe(FastResponse);
  expect(FastResponse.stateOf(new Response('x'))).toBeDefined();
});

test('after the undo function of installFastResponse() ran, the default does not reinstall', () => {
  const uninstall = installFastResponse();
  uninstall();
  expect(globalThis.Response).toBe(NativeResponse);
  fromFetchHandler(handler);
  expect(globalThis.Response).toBe(NativeResponse);
  // An explicit install still works, and the default keeps it.
  const again = installFastResponse();
  fromFetchHandler(handler);
  expect(globalThis.Response).toBe(FastResponse);
  again();
});
