import { connect } from 'node:net';
import type { App, WebSocketScope } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deferred, type Harness, startHarness } from './harness.js';
import { rawRequest } from './raw-client.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Resolves with the HTTP response a ws client got instead of a 101. */
function refusedResponse(
  client: WebSocket,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    client.on('open', () => reject(new Error('expected the handshake to be refused, but it opened')));
    client.on('error', () => {});
    client.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
  });
}

describe('websocket scope and handshake', () => {
  it('builds the full websocket scope and accepts with a chosen subprotocol and extra headers', async () => {
    const seen = deferred<WebSocketScope>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'websocket') return;
      seen.resolve(scope);
      expect(await receive()).toEqual({ type: 'websocket.connect' });
      await send({ type: 'websocket.accept', subprotocol: 'chat.v2', headers: [['x-session', 'abc']] });
      await receive();
    };
    harness = await startHarness(app);
    const client = new WebSocket(`${harness.wsUrl}/room/%E2%9C%93?x=1`, ['chat.v1', 'chat.v2'], {
      headers: { cookie: 'a=1' },
    });
    const upgradeHeaders = deferred<Record<string, unknown>>();
    client.on('upgrade', (res) => upgradeHeaders.resolve(res.headers));
    await new Promise((resolve) => client.once('open', resolve));
    expect(client.protocol).toBe('chat.v2');
    expect((await upgradeHeaders.promise)['x-session']).toBe('abc');
    const scope = await seen.promise;
    expect(scope.type).toBe('websocket');
    expect(scope.scheme).toBe('ws');
    expect(scope.http_version).toBe('1.1');
    expect(scope.path).toBe('/room/✓');
    expect(scope.raw_path).toBe('/room/%E2%9C%93');
    expect(scope.query_string).toBe('x=1');
    expect(scope.subprotocols).toEqual(['chat.v1', 'chat.v2']);
    expect(scope.client?.[0]).toBe('127.0.0.1');
    expect(scope.state).toEqual({ shared: 'yes' });
    expect(scope.extensions['websocket.http.response']).toEqual({});
    expect(scope.method).toBeUndefined();
    expect(scope['pagi.connection']).toBeUndefined();
    expect(typeof scope['pagi.transport']?.buffered_amount()).toBe('number');
    const names = scope.headers.map(([name]) => name);
    for (const name of [
      'host',
      'upgrade',
      'connection',
      'sec-websocket-key',
      'sec-websocket-version',
      'cookie',
    ]) {
      expect(names).toContain(name);
    }
    client.close();
  });

  it('merges several Sec-WebSocket-Protocol lines and sends no protocol when none is chosen', async () => {
    const seen = deferred<string[]>();
    harness = await startHarness(async (scope, receive, send) => {
      if (scope.type !== 'websocket') return;
      seen.resolve(scope.subprotocols);
      await send({ type: 'websocket.accept' });
      await receive();
    });
    const response = await rawRequest(
      harness.port,
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Protocol: a, b\r\nSec-WebSocket-Protocol: c\r\n\r\n',
    );
    expect(response.head).toMatch(/^HTTP\/1\.1 101 /);
    expect(response.head.toLowerCase()).not.toContain('sec-websocket-protocol');
    expect(await seen.promise).toEqual(['a', 'b', 'c']);
  });

  it('answers 426 with Sec-WebSocket-Version: 13 to another version, without calling the app', async () => {
    let called = false;
    harness = await startHarness(async () => {
      called = true;
    });
    const response = await rawRequest(
      harness.port,
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n',
    );
    expect(response.head).toMatch(/^HTTP\/1\.1 426 /);
    expect(response.head.toLowerCase()).toContain('sec-websocket-version: 13');
    expect(called).toBe(false);
  });

  it.each([
    ['a bad key', 'GET', 'Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n'],
    ['no key', 'GET', 'Sec-WebSocket-Version: 13\r\n'],
    ['a POST', 'POST', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'],
    [
      'a repeated subprotocol',
      'GET',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: a, a\r\n',
    ],
  ])('answers 400 to %s without calling the app', async (_name, method, lines) => {
    let called = false;
    harness = await startHarness(async () => {
      called = true;
    });
    const response = await rawRequest(
      harness.port,
      `${method} / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n${lines}\r\n`,
    );
    expect(response.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(called).toBe(false);
  });

  it('refuses with 403 when the app closes before accepting; receive() then yields 1006', async () => {
    const after = deferred<unknown>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.close', code: 4000 });
      after.resolve([await receive(), await receive()]);
    });
    const response = await refusedResponse(new WebSocket(harness.wsUrl));
    expect(response.status).toBe(403);
    expect(await after.promise).toEqual([
      { type: 'websocket.disconnect', code: 1006, reason: '' },
      { type: 'websocket.disconnect', code: 1006, reason: '' },
    ]);
    expect(harness.access.at(-1)).toMatchObject({ status: 403, protocol: 'websocket' });
  });

  it('sends a denial response with any status, a buffered body, content-length and date', async () => {
    const after = deferred<unknown>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({
        type: 'websocket.http.response.start',
        status: 401,
        headers: [['www-authenticate', 'Bearer']],
      });
      await send({ type: 'websocket.http.response.body', body: 'log in ', more: true });
      await send({ type: 'websocket.http.response.body', body: new TextEncoder().encode('first') });
      after.resolve(await receive());
    });
    const response = await refusedResponse(new WebSocket(harness.wsUrl));
    expect(response.status).toBe(401);
    expect(response.body).toBe('log in first');
    expect(response.headers['content-length']).toBe('12');
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(typeof response.headers.date).toBe('string');
    expect(await after.promise).toEqual({ type: 'websocket.disconnect', code: 1006, reason: '' });
  });

  it('ignores denial events after accept', async () => {
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.http.response.start', status: 404 });
      await send({ type: 'websocket.send', text: 'still open' });
      await receive();
    });
    const client = new WebSocket(harness.wsUrl);
    const message = await new Promise<string>((resolve) =>
      client.on('message', (data) => resolve(String(data))),
    );
    expect(message).toBe('still open');
    client.close();
  });

  it('rejects a send before accept and an accept with a subprotocol that was not offered', async () => {
    const errors = deferred<unknown[]>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      const out: unknown[] = [];
      await send({ type: 'websocket.send', text: 'too early' }).catch((error: unknown) => out.push(error));
      await send({ type: 'websocket.accept', subprotocol: 'nope' }).catch((error: unknown) =>
        out.push(error),
      );
      errors.resolve(out);
      await send({ type: 'websocket.close' });
    });
    const response = await refusedResponse(new WebSocket(harness.wsUrl, ['yes']));
    expect(response.status).toBe(403);
    const [early, bad] = (await errors.promise) as Array<{ code: string }>;
    expect(early?.code).toBe('PAGI_ERR_STATE');
    expect(bad?.code).toBe('PAGI_ERR_VALIDATION');
  });

  it.each([
    ['throws', 'Error'],
    ['returns', 'return'],
  ])('answers 500 when the app %s before accepting', async (_name, how) => {
    harness = await startHarness(async (_scope, receive) => {
      await receive();
      if (how === 'Error') throw new Error('boom before accept');
    });
    const response = await refusedResponse(new WebSocket(harness.wsUrl));
    expect(response.status).toBe(500);
    if (how === 'Error') expect(harness.logs.some((entry) => entry.level === 'error')).toBe(true);
  });

  it('answers 500 when the app never decides within wsHandshakeTimeout', async () => {
    const after = deferred<unknown>();
    harness = await startHarness(
      async (_scope, receive) => {
        await receive();
        after.resolve(await receive());
      },
      { wsHandshakeTimeout: 50 },
    );
    const response = await refusedResponse(new WebSocket(harness.wsUrl));
    expect(response.status).toBe(500);
    expect(await after.promise).toEqual({ type: 'websocket.disconnect', code: 1006, reason: 'server_error' });
  });

  it('tells the app when the client leaves before it decides', async () => {
    const after = deferred<unknown>();
    const connected = deferred();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      connected.resolve();
      after.resolve(await receive());
      await send({ type: 'websocket.accept' });
    });
    const socket = connect(harness.port, '127.0.0.1');
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await connected.promise;
    socket.end();
    expect(await after.promise).toEqual({
      type: 'websocket.disconnect',
      code: 1006,
      reason: 'client_closed',
    });
    socket.destroy();
  });
});
