import type { App, Receive, Send, WebSocketScope } from '@pagi/spec';
import { UnsupportedScopeError, validateScope } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { TestClient, WebSocketClosedError } from '../src/index.js';

function wsOnly(
  handler: (scope: WebSocketScope, receive: Receive<'websocket'>, send: Send<'websocket'>) => Promise<void>,
): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'websocket') throw new UnsupportedScopeError(scope.type);
    await handler(scope, receive as Receive<'websocket'>, send as Send<'websocket'>);
  };
}

/** Accepts (with the first offered subprotocol), echoes messages, records the disconnect. */
function echoServer(log: unknown[]) {
  return wsOnly(async (scope, receive, send) => {
    expect(await receive()).toEqual({ type: 'websocket.connect' });
    const subprotocol = scope.subprotocols[0];
    await send({
      type: 'websocket.accept',
      headers: [['x-accepted', 'yes']],
      ...(subprotocol ? { subprotocol } : {}),
    });
    while (true) {
      const event = await receive();
      if (event.type === 'websocket.disconnect') {
        log.push(event);
        return;
      }
      if (event.type !== 'websocket.receive') continue;
      if (event.text === 'close please') {
        await send({ type: 'websocket.close', code: 4000, reason: 'asked' });
        log.push(await receive());
        return;
      }
      if (event.text !== undefined) await send({ type: 'websocket.send', text: `echo: ${event.text}` });
      else await send({ type: 'websocket.send', bytes: Buffer.concat([Buffer.from('b:'), event.bytes!]) });
    }
  });
}

describe('WebSocket handshake', () => {
  it('builds the websocket scope and accepts with a subprotocol', async () => {
    let seen: WebSocketScope | undefined;
    const log: unknown[] = [];
    const inner = echoServer(log);
    const app: App = async (scope, receive, send) => {
      if (scope.type === 'websocket') seen = scope;
      await inner(scope, receive, send);
    };
    const ws = await new TestClient(app).websocket('/chat?room=1', { subprotocols: ['chat.v2', 'chat.v1'] });
    expect(ws.accepted).toBe(true);
    expect(ws.subprotocol).toBe('chat.v2');
    expect(ws.acceptHeaders).toEqual([['x-accepted', 'yes']]);
    expect(ws.denial).toBeUndefined();
    const scope = seen!;
    validateScope(scope);
    expect(scope.scheme).toBe('ws');
    expect(scope.path).toBe('/chat');
    expect(scope.query_string).toBe('room=1');
    expect(scope.subprotocols).toEqual(['chat.v2', 'chat.v1']);
    expect(scope.extensions).toEqual({ 'websocket.http.response': {} });
    expect('method' in scope).toBe(false);
    expect('pagi.connection' in scope).toBe(false);
    const names = scope.headers.map(([n]) => n);
    expect(names).toEqual([
      'host',
      'upgrade',
      'connection',
      'sec-websocket-key',
      'sec-websocket-version',
      'sec-websocket-protocol',
    ]);
    await ws.close();
  });

  it('uses wss with an https client and [] subprotocols when none are offered', async () => {
    let seen: WebSocketScope | undefined;
    const app = wsOnly(async (scope, _receive, send) => {
      seen = scope;
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.close' });
    });
    const ws = await new TestClient(app, { scheme: 'https' }).websocket('/');
    expect(seen!.scheme).toBe('wss');
    expect(seen!.subprotocols).toEqual([]);
    expect(ws.subprotocol).toBeUndefined();
    expect(await ws.closed).toEqual({ code: 1000, reason: '' });
  });

  it('rejects a subprotocol the client did not offer', async () => {
    const app = wsOnly(async (_scope, _receive, send) => {
      await send({ type: 'websocket.accept', subprotocol: 'other' });
    });
    await expect(new TestClient(app).websocket('/', { subprotocols: ['mine'] })).rejects.toMatchObject({
      code: 'PAGI_ERR_VALIDATION',
    });
  });

  it('close before accept is a bare 403 denial, and receive() then yields 1006', async () => {
    const after: unknown[] = [];
    const app = wsOnly(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.close', code: 1008 });
      after.push(await receive());
    });
    const ws = await new TestClient(app).websocket('/');
    expect(ws.accepted).toBe(false);
    expect(ws.denial).toEqual({ status: 403, headers: [], body: Buffer.alloc(0) });
    await expect(ws.sendText('x')).rejects.toBeInstanceOf(WebSocketClosedError);
    await expect(ws.receive()).rejects.toMatchObject({ code: 'PAGI_ERR_TEST_WS_CLOSED', closeCode: 1006 });
    await ws.close();
    expect(after).toEqual([{ type: 'websocket.disconnect', code: 1006, reason: '' }]);
  });

  it('denies with the websocket.http.response extension, body in pieces', async () => {
    const app = wsOnly(async (scope, _receive, send) => {
      expect(scope.extensions['websocket.http.response']).toBeDefined();
      await send({
        type: 'websocket.http.response.start',
        status: 401,
        headers: [['www-authenticate', 'Bearer']],
      });
      await send({ type: 'websocket.http.response.body', body: 'no ', more: true });
      await send({ type: 'websocket.http.response.body', body: 'token' });
    });
    const ws = await new TestClient(app).websocket('/');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(401);
    expect(ws.denial?.headers).toEqual([['www-authenticate', 'Bearer']]);
    expect(ws.denial?.body.toString()).toBe('no token');
  });

  it('an app that returns without answering gets a 500 denial (D-12)', async () => {
    const ws = await new TestClient(wsOnly(async () => {})).websocket('/');
    expect(ws.denial?.status).toBe(500);
  });

  it('an app exception before accept rejects, or is a 500 without raiseAppErrors', async () => {
    const app = wsOnly(async () => {
      throw new Error('nope');
    });
    await expect(new TestClient(app).websocket('/')).rejects.toThrow('nope');
    const ws = await new TestClient(app, { raiseAppErrors: false }).websocket('/');
    expect(ws.denial?.status).toBe(500);
  });

  it('times out naming the handshake', async () => {
    const app = wsOnly(() => new Promise(() => {}));
    await expect(new TestClient(app, { timeout: 30 }).websocket('/w')).rejects.toThrow(
      'waiting for websocket.accept (or a denial) for /w',
    );
  });
});

describe('WebSocket messages and close', () => {
  it('carries text, bytes and JSON both ways', async () => {
    const log: unknown[] = [];
    const ws = await new TestClient(echoServer(log)).websocket('/');
    await ws.sendText('hi');
    expect(await ws.receiveText()).toBe('echo: hi');
    await ws.sendBytes(new Uint8Array([1, 2]));
    expect([...(await ws.receiveBytes())]).toEqual([98, 58, 1, 2]);
    await ws.sendJson({ a: 1 });
    expect(await ws.receive()).toEqual({ text: 'echo: {"a":1}' });
    await ws.sendText('x');
    await expect(ws.receiveBytes()).rejects.toMatchObject({ code: 'PAGI_ERR_TEST_UNEXPECTED' });
    await ws.close(4001, 'bye');
    expect(log).toEqual([{ type: 'websocket.disconnect', code: 4001, reason: 'bye' }]);
    expect(await ws.closed).toEqual({ code: 4001, reason: 'bye' });
  });

  it('receiveJson parses a text message', async () => {
    const app = wsOnly(async (_scope, _receive, send) => {
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.send', text: '{"n":2}' });
      await send({ type: 'websocket.send', text: 'not json' });
      await send({ type: 'websocket.close' });
    });
    const ws = await new TestClient(app).websocket('/');
    expect(await ws.receiveJson()).toEqual({ n: 2 });
    await expect(ws.receiveJson()).rejects.toThrow('expected a JSON message, got "not json"');
  });

  it('server-initiated close: the test sees code and reason, the app gets the echo', async () => {
    const log: unknown[] = [];
    const ws = await new TestClient(echoServer(log)).websocket('/');
    await ws.sendText('close please');
    expect(await ws.closed).toEqual({ code: 4000, reason: 'asked' });
    const error = await ws.receive().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketClosedError);
    expect(error).toMatchObject({ closeCode: 4000, closeReason: 'asked' });
    await expect(ws.sendText('late')).rejects.toMatchObject({ code: 'PAGI_ERR_TEST_WS_CLOSED' });
    await ws.close();
    expect(log).toEqual([{ type: 'websocket.disconnect', code: 4000, reason: 'asked' }]);
  });

  it('messages sent before a close can still be read', async () => {
    const app = wsOnly(async (_scope, _receive, send) => {
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.send', text: 'last words' });
      await send({ type: 'websocket.close', code: 1001 });
    });
    const ws = await new TestClient(app).websocket('/');
    expect(await ws.receiveText()).toBe('last words');
    await expect(ws.receiveText()).rejects.toMatchObject({ closeCode: 1001 });
  });

  it('abrupt loss: the app sees 1006 client_closed and its sends become no-ops', async () => {
    const log: unknown[] = [];
    const app = wsOnly(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      const event = await receive();
      log.push(event);
      await send({ type: 'websocket.send', text: 'into the void' });
      log.push(await receive());
    });
    const ws = await new TestClient(app).websocket('/');
    await ws.disconnect();
    expect(log).toEqual([
      { type: 'websocket.disconnect', code: 1006, reason: 'client_closed' },
      { type: 'websocket.disconnect', code: 1006, reason: 'client_closed' },
    ]);
    expect(await ws.closed).toEqual({ code: 1006, reason: '' });
  });

  it('an app that returns while open closes with 1000; an exception with 1011', async () => {
    const returns = wsOnly(async (_scope, _receive, send) => {
      await send({ type: 'websocket.accept' });
    });
    expect(await (await new TestClient(returns).websocket('/')).closed).toEqual({ code: 1000, reason: '' });
    const throws = wsOnly(async (_scope, _receive, send) => {
      await send({ type: 'websocket.accept' });
      throw new Error('crash');
    });
    const quiet = await new TestClient(throws, { raiseAppErrors: false }).websocket('/');
    expect(await quiet.closed).toEqual({ code: 1011, reason: '' });
    const loud = await new TestClient(throws).websocket('/');
    await expect(loud.closed).rejects.toThrow('crash');
    await expect(loud.receive()).rejects.toThrow('crash');
  });

  it('denial events after accept are ignored; a send after close rejects', async () => {
    const seen: unknown[] = [];
    const app = wsOnly(async (_scope, _receive, send) => {
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.http.response.start', status: 500 });
      await send({ type: 'websocket.close' });
      await send({ type: 'websocket.close' });
      await send({ type: 'websocket.send', text: 'late' }).catch((e: unknown) => seen.push(e));
    });
    const ws = await new TestClient(app).websocket('/');
    expect(await ws.closed).toEqual({ code: 1000, reason: '' });
    await ws.close();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ code: 'PAGI_ERR_STATE' });
  });

  it('times out naming the message it waited for', async () => {
    const app = wsOnly(async (_scope, receive, send) => {
      await send({ type: 'websocket.accept' });
      while ((await receive()).type !== 'websocket.disconnect') {}
    });
    const ws = await new TestClient(app, { timeout: 30 }).websocket('/');
    await expect(ws.receive()).rejects.toThrow('waiting for a WebSocket message from the app');
    await ws.close();
  });
});

describe('WebSocket receive() sharing (D-15)', () => {
  it('a receive() abandoned in a race still delivers its message to the next call', async () => {
    const got: unknown[] = [];
    const app = wsOnly(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      const pending = receive();
      // Lose the race on purpose: the pending receive must not swallow the next message.
      const winner = await Promise.race([pending, Promise.resolve('tick')]);
      got.push(winner);
      await send({ type: 'websocket.send', text: 'ready' });
      got.push(await receive());
      got.push(await receive());
    });
    const ws = await new TestClient(app).websocket('/');
    expect(await ws.receiveText()).toBe('ready');
    await ws.sendText('one');
    await ws.close(1000, 'done');
    expect(got).toEqual([
      'tick',
      { type: 'websocket.receive', text: 'one' },
      { type: 'websocket.disconnect', code: 1000, reason: 'done' },
    ]);
  });
});
