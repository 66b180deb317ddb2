import type { ConnectionState, DisconnectReason, HttpScope } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { TestClient } from '../src/index.js';
import { httpOnly, readBody } from './apps.js';

/** Records the order in which every pagi.connection signal fired. */
function watch(conn: ConnectionState, log: string[]): void {
  conn.on_disconnect((reason) => {
    log.push(`on_disconnect:${reason}:connected=${conn.is_connected()}:reason=${conn.disconnect_reason()}`);
  });
  conn.on_disconnect(() => log.push('on_disconnect#2'));
  conn.on_complete?.(() => log.push(`on_complete:connected=${conn.is_connected()}`));
  conn.disconnect_future?.()?.then((reason: DisconnectReason) => log.push(`future:${reason}`));
}

describe('pagi.connection', () => {
  it('runs on_complete (only) after a delivered response and the app returned (D-11)', async () => {
    const log: string[] = [];
    let conn: ConnectionState | undefined;
    const app = httpOnly(async (scope, receive, send) => {
      conn = scope['pagi.connection'];
      watch(conn, log);
      expect(conn.is_connected()).toBe(true);
      expect(conn.response_started()).toBe(false);
      await readBody(receive);
      await send({ type: 'http.response.start', status: 200 });
      expect(conn.response_started()).toBe(true);
      expect(conn.response_complete?.()).toBe(false);
      await send({ type: 'http.response.body', body: 'ok' });
      expect(conn.response_complete?.()).toBe(true);
      // D-7: once the response is complete, receive() yields http.disconnect, again and again.
      expect(await receive()).toEqual({ type: 'http.disconnect' });
      expect(await receive()).toEqual({ type: 'http.disconnect' });
      log.push('app-returning');
    });
    const res = await new TestClient(app).get('/');
    expect(log).toEqual(['app-returning', 'on_complete:connected=false']);
    expect(res.connection).toBe(conn);
    expect(conn!.disconnect_reason()).toBeUndefined();
    expect(conn!.is_connected()).toBe(false);
    // Registered late: runs at once; the abnormal list never runs.
    const late: string[] = [];
    conn!.on_complete?.(() => late.push('complete'));
    conn!.on_disconnect(() => late.push('disconnect'));
    expect(late).toEqual(['complete']);
  });

  it('parks receive() after the body until the response completes (D-7)', async () => {
    const order: string[] = [];
    const app = httpOnly(async (_scope, receive, send) => {
      await readBody(receive);
      const watcher = receive().then((e) => order.push(`receive:${e.type}`));
      // D-15: a second call while the first is pending shares the same promise.
      expect(receive()).toBe(receive());
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'a', more: true });
      order.push('sent-chunk');
      await send({ type: 'http.response.body', body: 'b' });
      order.push('sent-final');
      await watcher;
    });
    const res = await new TestClient(app).get('/');
    expect(res.text).toBe('ab');
    expect(order).toEqual(['sent-chunk', 'sent-final', 'receive:http.disconnect']);
  });

  it('follows the abnormal-path order of §3.8 on a client disconnect', async () => {
    const log: string[] = [];
    const app = httpOnly(async (scope, receive, send) => {
      watch(scope['pagi.connection'], log);
      await readBody(receive);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'x', more: true });
      const event = await receive();
      log.push(`receive:${event.type}`);
    });
    const stream = await new TestClient(app).stream('GET', '/');
    expect(stream.status).toBe(200);
    const first = await stream[Symbol.asyncIterator]().next();
    expect(first.value?.toString()).toBe('x');
    await stream.disconnect();
    expect(log).toEqual([
      'on_disconnect:client_closed:connected=false:reason=client_closed',
      'on_disconnect#2',
      'future:client_closed',
      'receive:http.disconnect',
    ]);
    expect(stream.disconnected).toBe(true);
    const late: string[] = [];
    stream.connection.on_disconnect((r) => late.push(r));
    stream.connection.on_complete?.(() => late.push('complete'));
    expect(late).toEqual(['client_closed']);
  });
});

describe('disconnect injection', () => {
  /** An app that logs what it sees and tries to respond no matter what. */
  function stubborn(log: string[]) {
    return httpOnly(async (scope, receive, send) => {
      const conn = scope['pagi.connection'];
      conn.on_disconnect((r) => log.push(`disconnect:${r}`));
      conn.on_complete?.(() => log.push('complete'));
      while (true) {
        const event = await receive();
        log.push(
          event.type === 'http.request' ? `request:${Buffer.from(event.body)}:${event.more}` : event.type,
        );
        if (event.type !== 'http.request' || !event.more) break;
      }
      // Sends after the client left resolve as no-ops (D-6).
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'one', more: true });
      await send({ type: 'http.response.body', body: 'two', more: true });
      await send({ type: 'http.response.body', body: 'three' });
      log.push(`connected:${conn.is_connected()}`);
    });
  }

  it('before-body: the app never sees the body', async () => {
    const log: string[] = [];
    const res = await new TestClient(stubborn(log)).post('/', {
      body: ['a', 'b'],
      disconnect: 'before-body',
    });
    expect(log).toEqual(['disconnect:client_closed', 'http.disconnect', 'connected:false']);
    expect(res.status).toBe(0);
    expect(res.disconnected).toBe(true);
    expect(res.body.length).toBe(0);
  });

  it('after-body: the app gets the whole body, then the disconnect', async () => {
    const log: string[] = [];
    const res = await new TestClient(stubborn(log)).post('/', { body: ['a', 'b'], disconnect: 'after-body' });
    expect(log).toEqual(['request:a:true', 'disconnect:client_closed', 'request:b:false', 'connected:false']);
    expect(res.status).toBe(0);
    expect(res.disconnected).toBe(true);
  });

  it('after-response-start: the client has the head, not the body', async () => {
    const log: string[] = [];
    const res = await new TestClient(stubborn(log)).get('/', { disconnect: 'after-response-start' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.disconnected).toBe(true);
    expect(log).toEqual(['request::false', 'disconnect:client_closed', 'connected:false']);
    expect(res.events).toHaveLength(1);
  });

  it('afterChunks: the client keeps exactly that many chunks', async () => {
    const log: string[] = [];
    const res = await new TestClient(stubborn(log)).get('/', { disconnect: { afterChunks: 2 } });
    expect(res.text).toBe('onetwo');
    expect(res.disconnected).toBe(true);
    expect(res.connection.disconnect_reason()).toBe('client_closed');
    expect(log).toEqual(['request::false', 'disconnect:client_closed', 'connected:false']);
  });

  it('a disconnect point after the response completed changes nothing', async () => {
    const log: string[] = [];
    const res = await new TestClient(stubborn(log)).get('/', { disconnect: { afterChunks: 3 } });
    expect(res.text).toBe('onetwothree');
    expect(res.disconnected).toBe(false);
    expect(log).toEqual(['request::false', 'connected:true', 'complete']);
  });

  it('stream.disconnect() mid-stream wakes a pending receive()', async () => {
    let scopeSeen: HttpScope | undefined;
    const app = httpOnly(async (scope, receive, send) => {
      scopeSeen = scope;
      await readBody(receive);
      await send({ type: 'http.response.start', status: 200, headers: [['x-stream', '1']] });
      let n = 0;
      const gone = receive();
      // Stream until the client leaves; never sleeps, the pending receive is the signal.
      while (scope['pagi.connection'].is_connected()) {
        await send({ type: 'http.response.body', body: `tick ${++n}`, more: true });
        await Promise.race([gone, new Promise((r) => setImmediate(r))]);
      }
      expect(await gone).toEqual({ type: 'http.disconnect' });
    });
    const s = await new TestClient(app).stream('GET', '/ticks');
    expect(s.header('X-Stream')).toBe('1');
    const seen: string[] = [];
    for await (const chunk of s) {
      seen.push(chunk.toString());
      if (seen.length === 3) break;
    }
    await s.disconnect();
    expect(seen).toEqual(['tick 1', 'tick 2', 'tick 3']);
    expect(scopeSeen!['pagi.connection'].disconnect_reason()).toBe('client_closed');
  });

  it('stream text() and bytes() read the rest of the body', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'a', more: true });
      await send({ type: 'http.response.body', body: 'b' });
    });
    const client = new TestClient(app);
    expect(await (await client.stream('GET', '/')).text()).toBe('ab');
    expect((await (await client.stream('GET', '/')).bytes()).toString()).toBe('ab');
  });
});

describe('stream.disconnect() and app errors', () => {
  it('rejects with an exception the app threw on disconnect, unless raiseAppErrors is off', async () => {
    const app = httpOnly(async (_scope, receive, send) => {
      await readBody(receive);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'a', more: true });
      await receive();
      throw new Error('cleanup failed');
    });
    const loud = await new TestClient(app).stream('GET', '/');
    await expect(loud.disconnect()).rejects.toThrow('cleanup failed');
    const quiet = await new TestClient(app, { raiseAppErrors: false }).stream('GET', '/');
    await quiet.disconnect();
    expect(quiet.connection.disconnect_reason()).toBe('client_closed');
  });
});
