// Tests found missing by mutation testing (docs/mutation-testing.md): validateScope boundaries
// and messages that no other test pinned.
import { describe, expect, it } from 'vitest';
import { validateScope } from '../../src/index.js';
import { expectPagiError, VALIDATION } from '../fixtures/expect-error.js';
import { httpScope, lifespanScope, sseScope, webSocketScope } from '../fixtures/scopes.js';

const http = (over: Record<string, unknown>) => ({ ...httpScope(), ...over });
const ok = (scope: unknown) => expect(() => validateScope(scope)).not.toThrow();
const bad = (scope: unknown, message: string | RegExp) =>
  expectPagiError(() => validateScope(scope), VALIDATION, message);

describe('validateScope: strings and byte strings', () => {
  it('names a non-string scheme and accepts its absence', () => {
    bad(http({ scheme: 1 }), 'scope.scheme: expected a string, got 1');
    ok(http({ scheme: undefined }));
  });

  it('accepts raw_path absent and code units up to 0xff; refuses 0x100', () => {
    ok(http({ raw_path: undefined }));
    ok(http({ raw_path: '/\u00ff', query_string: 'a=\u00ff' }));
    bad(http({ raw_path: '/\u0100' }), 'scope.raw_path: expected a byte string (code units ≤ 0xff)');
    bad(http({ query_string: undefined }), 'scope.query_string: expected a byte string, got nothing');
  });

  it('names a non-string pagi.spec_version', () => {
    bad(
      http({ pagi: { version: '0.3', spec_version: 3 } }),
      'scope.pagi.spec_version: expected a string, got 3',
    );
  });

  it('checks is_worker and worker_num on lifespan scopes only, worker_num from 1', () => {
    const pagi = (extra: object) => ({ version: '0.3', ...extra });
    ok(http({ pagi: pagi({ is_worker: 'yes', worker_num: 0 }) }));
    ok({ ...lifespanScope(), pagi: pagi({ worker_num: 1 }) });
    ok({ ...lifespanScope(), pagi: pagi({ worker_num: null }) });
    bad(
      { ...lifespanScope(), pagi: pagi({ worker_num: 0 }) },
      'scope.pagi.worker_num: expected an integer ≥ 1 or null, got 0',
    );
  });
});

describe('validateScope: extensions, endpoints, transport, subprotocols', () => {
  it('accepts an extension left undefined and refuses null or a string', () => {
    ok(http({ extensions: { fullflush: undefined } }));
    bad(
      http({ extensions: { fullflush: null } }),
      "scope.extensions['fullflush']: expected an object, got null",
    );
    bad(http({ extensions: { fullflush: 'on' } }), "scope.extensions['fullflush']: expected an object");
  });

  it('checks client and server as [host, port] with ports 0–65535', () => {
    ok(http({ client: ['1.2.3.4', 0], server: ['h', 65535] }));
    ok(http({ server: ['/tmp/s.sock', null] }));
    bad(http({ client: ['h', null] }), 'scope.client: expected [host, port], got');
    bad(http({ client: ['h', 65536] }), 'scope.client: expected [host, port]');
    bad(http({ client: ['h', -1] }), 'scope.client: expected [host, port]');
    bad(http({ client: ['h', 1.5] }), 'scope.client: expected [host, port]');
    bad(http({ client: ['h', '80'] }), 'scope.client: expected [host, port]');
    bad(http({ client: [1, 80] }), 'scope.client: expected [host, port]');
    bad(http({ client: ['h', 80, 1] }), 'scope.client: expected [host, port]');
    bad(http({ client: ['h'] }), 'scope.client: expected [host, port]');
    bad(http({ client: { 0: 'h', 1: 80, length: 2 } }), 'scope.client: expected [host, port]');
    bad(http({ server: ['h', 65536] }), 'scope.server: expected [host, port] or [socketPath, null]');
  });

  it('names the transport keys it checks', () => {
    const fn = () => 0;
    ok(http({ 'pagi.transport': { buffered_amount: fn } }));
    bad(http({ 'pagi.transport': 'x' }), "scope.pagi.transport: expected an object, got 'x' (string)");
    for (const key of ['high_water_mark', 'low_water_mark', 'on_high_water', 'on_drain']) {
      bad(
        http({ 'pagi.transport': { buffered_amount: fn, [key]: 1 } }),
        `scope.pagi.transport.${key}: expected a function when present, got 1`,
      );
    }
  });

  it('names the optional pagi.connection methods it checks', () => {
    for (const key of ['on_complete', 'response_complete', 'disconnect_future']) {
      const scope = httpScope();
      bad(
        { ...scope, 'pagi.connection': { ...scope['pagi.connection'], [key]: 1 } },
        `scope.pagi.connection.${key}: expected a function when present, got 1`,
      );
    }
  });

  it('refuses subprotocols with any non-string entry, not only all', () => {
    ok({ ...webSocketScope(), subprotocols: ['a', 'b'] });
    bad({ ...webSocketScope(), subprotocols: ['a', 1] }, 'scope.subprotocols: expected an array of strings');
  });

  it('checks the connection keys of sse scopes too', () => {
    bad({ ...sseScope(), raw_path: '/\u0100' }, 'scope.raw_path');
  });
});
