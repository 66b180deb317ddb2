import { describe, expect, it } from 'vitest';
import { validateScope } from '../src/index.js';
import { expectPagiError, VALIDATION } from './fixtures/expect-error.js';
import { httpScope, lifespanScope, sseScope, webSocketScope } from './fixtures/scopes.js';

type Rec = Record<string, unknown>;

function without(scope: object, key: string): Rec {
  const copy: Rec = { ...scope };
  delete copy[key];
  return copy;
}

describe('validateScope: valid scopes', () => {
  it.each([
    ['http', httpScope()],
    [
      'http with fullflush and tls',
      httpScope({
        fullflush: {},
        tls: {
          server_cert: null,
          client_cert_chain: [],
          client_cert_name: null,
          client_cert_error: null,
          tls_version: 0x0304,
          cipher_suite: 0x1301,
        },
      }),
    ],
    ['websocket', webSocketScope(['chat'])],
    ['sse', sseScope()],
    ['lifespan', lifespanScope()],
    [
      'lifespan with worker info',
      { type: 'lifespan', pagi: { version: '0.3', is_worker: true, worker_num: 2 } },
    ],
    [
      'lifespan single-process',
      { type: 'lifespan', pagi: { version: '0.3', is_worker: false, worker_num: null } },
    ],
    ['a unix-socket server', { ...httpScope(), server: ['/tmp/pagi.sock', null] }],
    ['middleware keys', { ...httpScope(), 'myapp.request_id': 'abc', 'pagi.stash': {} }],
    [
      'no optional keys',
      without(without(without(without(httpScope(), 'client'), 'server'), 'state'), 'extensions'),
    ],
    [
      'a transport handle',
      { ...sseScope(), 'pagi.transport': { buffered_amount: () => 0, on_drain: () => {} } },
    ],
  ])('accepts %s', (_name, scope) => {
    expect(() => validateScope(scope)).not.toThrow();
  });
});

describe('validateScope: invalid scopes', () => {
  it.each([
    ['not an object', null, /^scope: expected an object, got null$/],
    [
      'an unknown type',
      { ...httpScope(), type: 'mqtt' },
      /scope.type: expected one of 'http', 'websocket', 'sse', 'lifespan', got 'mqtt'/,
    ],
    ['no pagi', without(httpScope(), 'pagi'), /scope.pagi: expected an object/],
    [
      'a numeric pagi.version',
      { ...httpScope(), pagi: { version: 0.3 } },
      /scope.pagi.version: expected a string such as '0.3', got 0.3/,
    ],
    ['a numeric spec_version', { ...httpScope(), pagi: { version: '0.3', spec_version: 3 } }, /spec_version/],
    [
      'no http_version',
      without(httpScope(), 'http_version'),
      /scope.http_version: expected a string, got nothing/,
    ],
    ['a numeric scheme', { ...httpScope(), scheme: 1 }, /scope.scheme/],
    ['no path', without(httpScope(), 'path'), /scope.path/],
    ['no query_string', without(httpScope(), 'query_string'), /scope.query_string: expected a byte string/],
    ['a non-byte query_string', { ...httpScope(), query_string: 'a=\u20ac' }, /code units ≤ 0xff/],
    ['a non-byte raw_path', { ...httpScope(), raw_path: '/\u20ac' }, /scope.raw_path/],
    ['no root_path', without(httpScope(), 'root_path'), /scope.root_path/],
    ['no headers', without(httpScope(), 'headers'), /scope header list: expected an array/],
    ['uppercase request headers', { ...httpScope(), headers: [['Host', 'x']] }, /scope header 0 \('Host'\)/],
    ['a bad client', { ...httpScope(), client: ['1.2.3.4'] }, /scope.client: expected \[host, port\]/],
    ['a client port out of range', { ...httpScope(), client: ['1.2.3.4', 70000] }, /scope.client/],
    ['a client with a null port', { ...httpScope(), client: ['1.2.3.4', null] }, /scope.client/],
    [
      'a bad server',
      { ...httpScope(), server: 'localhost:80' },
      /scope.server: expected \[host, port\] or \[socketPath, null\]/,
    ],
    ['an array state', { ...httpScope(), state: [] }, /scope.state: expected an object/],
    [
      'a string extensions',
      { ...httpScope(), extensions: 'fullflush' },
      /scope.extensions: expected an object/,
    ],
    [
      'an extension set to true',
      { ...httpScope(), extensions: { fullflush: true } },
      /scope.extensions\['fullflush'\]: expected an object, got true/,
    ],
    [
      'a transport without buffered_amount',
      { ...httpScope(), 'pagi.transport': {} },
      /scope.pagi.transport.buffered_amount: expected a function/,
    ],
    [
      'a transport with a bad on_drain',
      { ...httpScope(), 'pagi.transport': { buffered_amount: () => 0, on_drain: 1 } },
      /on_drain: expected a function when present/,
    ],
    ['http without method', without(httpScope(), 'method'), /scope.method: expected a request method/],
    ['http with a bad method', { ...httpScope(), method: 'GE T' }, /scope.method/],
    [
      'http without pagi.connection',
      without(httpScope(), 'pagi.connection'),
      /'pagi.connection': expected an object \(required for http\)/,
    ],
    [
      'http with half a connection',
      { ...httpScope(), 'pagi.connection': { is_connected: () => true } },
      /pagi.connection.disconnect_reason: expected a function/,
    ],
    [
      'http with a bad on_complete',
      {
        ...httpScope(),
        'pagi.connection': { ...(httpScope()['pagi.connection'] as object), on_complete: 'x' },
      },
      /on_complete/,
    ],
    ['sse without method', without(sseScope(), 'method'), /scope.method/],
    [
      'websocket without subprotocols',
      without(webSocketScope(), 'subprotocols'),
      /scope.subprotocols: expected an array of strings/,
    ],
    ['websocket with numeric subprotocols', { ...webSocketScope(), subprotocols: [1] }, /scope.subprotocols/],
    ['lifespan without pagi', { type: 'lifespan' }, /scope.pagi/],
    [
      'lifespan with is_worker 1 (D-3)',
      { type: 'lifespan', pagi: { version: '0.3', is_worker: 1 } },
      /is_worker: expected a boolean/,
    ],
    [
      'lifespan with worker_num 0',
      { type: 'lifespan', pagi: { version: '0.3', worker_num: 0 } },
      /worker_num: expected an integer ≥ 1 or null, got 0/,
    ],
    ['lifespan with an array state', { ...lifespanScope(), state: [] }, /scope.state/],
  ])('rejects %s', (_name, scope, message) => {
    expectPagiError(() => validateScope(scope), VALIDATION, message);
  });
});
