import { type App, isPagiError, UnsupportedScopeError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { WebSocket } from '../src/websocket/websocket.js';

/** Runs `fn` with a WebSocket helper; resolves `done` with what it returned or threw. */
function wsApp(fn: (ws: WebSocket) => Promise<unknown>) {
  let settle!: (v: { value?: unknown; error?: unknown }) => void;
  const done = new Promise<{ value?: unknown; error?: unknown }>((r) => (settle = r));
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') throw new UnsupportedScopeError(scope.type);
    const ws = new WebSocket(scope, receive, send);
    try {
      settle({ value: await fn(ws) });
    } catch (error) {
      settle({ error });
    }
  };
  return { app, done };
}

describe('WebSocket helper', () => {
  it('iterates every message, including empty and "0" ones, until the client closes', async () => {
    const { app, done } = wsApp(async (ws) => {
      await ws.accept();
      const got: unknown[] = [];
      for await (const msg of ws) {
        got.push(typeof msg === 'string' ? msg : Buffer.from(msg).toString('hex'));
        await ws.sendText(`n=${got.length}`);
      }
      return { got, code: ws.closeCode, reason: ws.closeReason, connected: ws.isConnected };
    });
    const client = new TestClient(app);
    const ws = await client.websocket('/');
    expect(ws.accepted).toBe(true);
    await ws.sendText('');
    expect(await ws.receiveText()).toBe('n=1');
    await ws.sendText('0');
    await ws.sendBytes(new Uint8Array(0));
    await ws.sendBytes(new Uint8Array([0]));
    await ws.sendText('last');
    for (let i = 2; i <= 5; i++) expect(await ws.receiveText()).toBe(`n=${i}`);
    await ws.close(4001, 'bye');
    expect((await done).value).toEqual({
      got: ['', '0', '', '00', 'last'],
      code: 4001,
      reason: 'bye',
      connected: false,
    });
  });

  it('receives text, bytes and JSON and sends each kind', async () => {
    const { app, done } = wsApp(async (ws) => {
      await ws.accept({ subprotocol: 'chat.v2', headers: { 'x-server': 'pagi' } });
      const text = await ws.receiveText();
      const bytes = await ws.receiveBytes();
      const json = await ws.receiveJson<{ a: number }>();
      await ws.sendText(text.toUpperCase());
      await ws.sendBytes(Uint8Array.from(bytes).reverse());
      await ws.sendJson({ a: json.a + 1 });
      await ws.close();
    });
    const client = new TestClient(app);
    const ws = await client.websocket('/', { subprotocols: ['chat.v1', 'chat.v2'] });
    expect(ws.subprotocol).toBe('chat.v2');
    expect(ws.acceptHeaders).toEqual([['x-server', 'pagi']]);
    await ws.sendText('hi');
    await ws.sendBytes(Buffer.from([1, 2, 3]));
    await ws.sendJson({ a: 1 });
    expect(await ws.receiveText()).toBe('HI');
    expect([...(await ws.receiveBytes())]).toEqual([3, 2, 1]);
    expect(await ws.receiveJson()).toEqual({ a: 2 });
    expect(await ws.closed).toMatchObject({ code: 1000 });
    expect((await done).error).toBeUndefined();
  });

  it('raises WebSocketError 1003 for the wrong kind and 1007 for bad JSON', async () => {
    const { app, done } = wsApp(async (ws) => {
      await ws.accept();
      const errors: unknown[] = [];
      for (const read of [() => ws.receiveText(), () => ws.receiveBytes(), () => ws.receiveJson()]) {
        try {
          await read();
        } catch (e) {
          errors.push(isPagiError(e) && { code: e.code, closeCode: (e as { closeCode?: number }).closeCode });
        }
      }
      await ws.close(1000);
      return errors;
    });
    const ws = await new TestClient(app).websocket('/');
    await ws.sendBytes(Buffer.from('x'));
    await ws.sendText('x');
    await ws.sendText('{nope');
    expect((await done).value).toEqual([
      { code: 'PAGI_ERR_WEBSOCKET', closeCode: 1003 },
      { code: 'PAGI_ERR_WEBSOCKET', closeCode: 1003 },
      { code: 'PAGI_ERR_WEBSOCKET', closeCode: 1007 },
    ]);
  });

  it('throws PAGI_ERR_DISCONNECTED from receiveText() once the client is gone', async () => {
    const { app, done } = wsApp(async (ws) => {
      await ws.accept();
      return ws.receiveText();
    });
    const ws = await new TestClient(app).websocket('/');
    await ws.disconnect();
    const { error } = await done;
    expect(isPagiError(error) && error.code).toBe('PAGI_ERR_DISCONNECTED');
    expect((error as { closeCode?: number }).closeCode).toBe(1006);
  });

  it('validates close codes and reason length, and closes once', async () => {
    const { app, done } = wsApp(async (ws) => {
      await ws.accept();
      const codes: unknown[] = [];
      for (const [c, r] of [
        [1005, ''],
        [1006, ''],
        [999, ''],
        [5000, ''],
        [1000, 'x'.repeat(124)],
      ] as const) {
        await ws.close(c, r).catch((e) => codes.push(isPagiError(e) && e.code));
      }
      await ws.close(3000, 'done');
      await ws.close(1000, 'again');
      return { codes, code: ws.closeCode, reason: ws.closeReason };
    });
    const ws = await new TestClient(app).websocket('/');
    expect(await ws.closed).toMatchObject({ code: 3000, reason: 'done' });
    const { value } = await done;
    expect(value).toEqual({ codes: Array(5).fill('PAGI_ERR_VALIDATION'), code: 3000, reason: 'done' });
    expect(ws.events.filter((e) => (e as { type: string }).type === 'websocket.close')).toHaveLength(1);
  });

  it('refuses sends before accept and a subprotocol the client did not offer', async () => {
    const { app, done } = wsApp(async (ws) => {
      const errors: unknown[] = [];
      await ws.sendText('early').catch((e) => errors.push(e.code));
      await ws.accept({ subprotocol: 'nope' }).catch((e) => errors.push(e.code));
      await ws.accept();
      await ws.accept().catch((e) => errors.push(e.code));
      await ws.close();
      await ws.sendText('late').catch((e) => errors.push(e.code));
      return errors;
    });
    const ws = await new TestClient(app).websocket('/');
    await ws.closed;
    expect((await done).value).toEqual([
      'PAGI_ERR_STATE',
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_STATE',
      'PAGI_ERR_STATE',
    ]);
  });

  it('closes before accept as a 403 and denies with an HTTP response when offered', async () => {
    const closing = wsApp(async (ws) => ws.close(1008, 'no'));
    const refused = await new TestClient(closing.app).websocket('/');
    expect(refused.accepted).toBe(false);
    expect(refused.denial?.status).toBe(403);

    const denying = wsApp(async (ws) => ws.deny(401, 'login first', { 'www-authenticate': 'Bearer' }));
    const denied = await new TestClient(denying.app).websocket('/');
    expect(denied.accepted).toBe(false);
    expect(denied.denial?.status).toBe(401);
    expect(denied.denial?.body.toString()).toBe('login first');
  });

  it('sends websocket.keepalive', async () => {
    const { app, done } = wsApp(async (ws) => {
      await ws.accept();
      await ws.keepalive(20, 5);
      await ws.close();
    });
    const ws = await new TestClient(app).websocket('/');
    await ws.closed;
    await done;
    expect(ws.events).toContainEqual({ type: 'websocket.keepalive', interval: 20, timeout: 5 });
  });
});
