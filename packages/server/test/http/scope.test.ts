import type { HttpScope, Scope } from '@pagi/spec';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** Starts a server whose app stores the scope it got and answers 204. */
async function capture(options = {}): Promise<{ scopes: HttpScope[] }> {
  const scopes: HttpScope[] = [];
  s = await startServer(async (scope: Scope, _receive, send) => {
    if (scope.type === 'lifespan') {
      const ev = await _receive();
      if (ev.type === 'lifespan.startup') {
        scope.state!.pool = { shared: true };
        scope.state!.counter = 1;
        await send({ type: 'lifespan.startup.complete' });
      }
      await _receive();
      await send({ type: 'lifespan.shutdown.complete' });
      return;
    }
    const http = scope as HttpScope;
    // Read everything now, as an app would, so lazy keys are resolved while the request lives.
    scopes.push({ ...http, state: { ...http.state } });
    (http.state as Record<string, unknown>).counter = 99; // must not leak into the next request
    await send({ type: 'http.response.start', status: 204 });
    await send({ type: 'http.response.body' });
  }, options);
  return { scopes };
}

describe('http scope', () => {
  it('has every key of protocol.md §3 with the right values', async () => {
    const { scopes } = await capture({ rootPath: '/mnt', lifespan: 'auto' });
    const c = await rawClient(s!.port);
    const localPort = c.socket.localPort;
    c.socket.write(
      'GET /caf%C3%A9/a%2Fb?x=1&y=%20z HTTP/1.1\r\nHost: example.test\r\nX-Multi: one\r\n' +
        'Cookie: a=1\r\nX-Multi: two\r\nCookie: b=2\r\nX-Case: Value With Spaces\r\nConnection: close\r\n\r\n',
    );
    await c.closed;
    const scope = scopes[0]!;
    expect(scope.type).toBe('http');
    expect(scope.pagi).toEqual({ version: '0.3', spec_version: '0.3' });
    expect(scope.http_version).toBe('1.1');
    expect(scope.scheme).toBe('http');
    expect(scope.method).toBe('GET');
    expect(scope.path).toBe('/mnt/café/a/b');
    expect(scope.raw_path).toBe('/caf%C3%A9/a%2Fb');
    expect(scope.query_string).toBe('x=1&y=%20z');
    expect(scope.root_path).toBe('/mnt');
    expect(scope.headers).toEqual([
      ['host', 'example.test'],
      ['x-multi', 'one'],
      ['cookie', 'a=1; b=2'],
      ['x-multi', 'two'],
      ['x-case', 'Value With Spaces'],
      ['connection', 'close'],
    ]);
    expect(scope.client?.[0]).toBe('127.0.0.1');
    expect(scope.client?.[1]).toBe(localPort);
    expect(scope.server).toEqual(['127.0.0.1', s!.port]);
    expect(scope.state).toEqual({ pool: { shared: true }, counter: 1 });
    expect(scope.extensions).toEqual({ fullflush: {} });
    const conn = scope['pagi.connection'];
    for (const m of [
      'is_connected',
      'disconnect_reason',
      'on_disconnect',
      'response_started',
      'on_complete',
      'response_complete',
      'disconnect_future',
    ] as const) {
      expect(typeof conn[m]).toBe('function');
    }
    const transport = scope['pagi.transport']!;
    expect(transport.buffered_amount()).toBeGreaterThanOrEqual(0);
    expect(transport.high_water_mark!()).toBe(65536);
    expect(transport.low_water_mark!()).toBe(16384);
  });

  it('copies lifespan state shallowly: values shared, top-level keys private per request', async () => {
    const { scopes } = await capture({ lifespan: 'on' });
    await (await request(`${s!.url}/one`)).body.text();
    await (await request(`${s!.url}/two`)).body.text();
    expect(scopes[1]!.state).toEqual({ pool: { shared: true }, counter: 1 });
    expect(scopes[0]!.state!.pool).toBe(scopes[1]!.state!.pool);
  });

  it('decodes a path that is not UTF-8 as latin1 and keeps raw_path exact (D-8)', async () => {
    const { scopes } = await capture();
    const c = await rawClient(s!.port);
    c.socket.write('GET /%FF%41?q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await c.closed;
    expect(scopes[0]!.path).toBe('/\u00ffA');
    expect(scopes[0]!.raw_path).toBe('/%FF%41');
    expect(scopes[0]!.query_string).toBe('q');
  });

  it('reports HTTP/1.0 and an empty query string', async () => {
    const { scopes } = await capture();
    const c = await rawClient(s!.port);
    c.socket.write('GET /plain HTTP/1.0\r\n\r\n');
    await c.closed;
    expect(scopes[0]!.http_version).toBe('1.0');
    expect(scopes[0]!.query_string).toBe('');
  });

  it('omits fullflush when the option is off', async () => {
    const { scopes } = await capture({ fullflush: false });
    await (await request(`${s!.url}/`)).body.text();
    expect(scopes[0]!.extensions).toEqual({});
  });
});
