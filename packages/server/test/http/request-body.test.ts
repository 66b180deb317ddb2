import type { Socket } from 'node:net';
import type { HttpScope, Receive, ReceiveEvent } from '@pagi/spec';
import { Client, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function readAll(receive: Receive): Promise<{ body: Buffer; events: number }> {
  const parts: Buffer[] = [];
  let events = 0;
  for (;;) {
    const ev = (await receive()) as ReceiveEvent<'http'>;
    events++;
    if (ev.type !== 'http.request') throw new Error(`expected http.request, got ${ev.type}`);
    parts.push(Buffer.from(ev.body));
    if (!ev.more) break;
  }
  return { body: Buffer.concat(parts), events };
}

describe('request bodies', () => {
  it('gives a bodiless request one empty http.request with more: false', async () => {
    const seen = deferred<ReceiveEvent<'http'>>();
    s = await startServer(async (_scope, receive, send) => {
      seen.resolve((await receive()) as ReceiveEvent<'http'>);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'ok' });
    });
    await (await request(s.url)).body.text();
    const ev = await seen.promise;
    expect(ev.type).toBe('http.request');
    if (ev.type !== 'http.request') return;
    expect(ev.body).toBeInstanceOf(Uint8Array);
    expect(ev.body.byteLength).toBe(0);
    expect(ev.more).toBe(false);
  });

  it('streams a content-length body and a chunked body, in order, bytes intact', async () => {
    s = await startServer(async (_scope, receive, send) => {
      const { body } = await readAll(receive as Receive);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: body.toString('hex') });
    });
    const payload = Buffer.alloc(300_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const a = await request(s.url, { method: 'POST', body: payload });
    expect(await a.body.text()).toBe(payload.toString('hex'));
    async function* gen() {
      yield payload.subarray(0, 1000);
      yield payload.subarray(1000);
    }
    const b = await request(s.url, { method: 'POST', body: gen() as never });
    expect(await b.body.text()).toBe(payload.toString('hex'));
  });

  it('delivers body chunks as they arrive, before the request is complete', async () => {
    const first = deferred<string>();
    s = await startServer(async (_scope, receive, send) => {
      const ev = (await receive()) as ReceiveEvent<'http'>;
      if (ev.type === 'http.request') first.resolve(Buffer.from(ev.body).toString());
      await readAll(receive as Receive);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'done' });
    });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    expect(await first.promise).toBe('hello');
    c.socket.write('0\r\n\r\n');
    await c.waitFor('done');
    c.socket.destroy();
  });

  it('pauses the socket while the app is not receiving (bounded inbound buffer)', async () => {
    const go = deferred();
    let serverSocket: Socket | undefined;
    s = await startServer(
      async (_scope, receive, send) => {
        await go.promise;
        const { body } = await readAll(receive as Receive);
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: String(body.length) });
      },
      { maxBodySize: 0 },
    );
    s.server.httpServer.on('connection', (sock: Socket) => {
      serverSocket = sock;
    });
    const c = await rawClient(s.port);
    const total = 32 * 1024 * 1024;
    c.socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let written = 0;
    // Write until the kernel buffers are full and the client's own queue builds up: the server stopped reading.
    while (written < total) {
      written += chunk.length;
      if (!c.socket.write(chunk)) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (c.socket.writableLength >= 4 * chunk.length) break;
      }
    }
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (c.socket.writableLength > 0 && serverSocket !== undefined) resolve();
        else setImmediate(check);
      };
      check();
    });
    expect(serverSocket!.bytesRead).toBeLessThan(16 * 1024 * 1024);
    go.resolve();
    while (written < total) {
      written += chunk.length;
      if (!c.socket.write(chunk)) await new Promise((resolve) => c.socket.once('drain', resolve));
    }
    await c.waitFor(/\r\n\r\n33554432$/);
    c.socket.destroy();
  });

  it('after the body, receive() waits for the response to complete, then yields http.disconnect (D-7)', async () => {
    const order: string[] = [];
    const done = deferred();
    s = await startServer(async (_scope, receive, send) => {
      await readAll(receive as Receive);
      const waiting = receive().then((ev) => {
        order.push(`receive:${ev.type}`);
      });
      await new Promise((resolve) => setImmediate(resolve));
      order.push('before-response');
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'x' });
      await waiting;
      const again = await receive();
      order.push(`again:${again.type}`);
      done.resolve();
    });
    await (await request(s.url)).body.text();
    await done.promise;
    expect(order).toEqual(['before-response', 'receive:http.disconnect', 'again:http.disconnect']);
  });

  it('returns the same pending promise to a second receive() call (D-15)', async () => {
    const same = deferred<boolean>();
    s = await startServer(async (_scope, receive, send) => {
      const a = receive();
      const b = receive();
      same.resolve(a === b);
      const ev = (await a) as ReceiveEvent<'http'>;
      await send({ type: 'http.response.start', status: 200 });
      await send({
        type: 'http.response.body',
        body: ev.type === 'http.request' ? Buffer.from(ev.body) : '',
      });
    });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n');
    expect(await same.promise).toBe(true);
    c.socket.write('abc');
    expect(await c.closed).toMatch(/\r\n\r\nabc$/);
  });

  it('yields http.disconnect and sets pagi.connection when the client drops mid-body', async () => {
    const result = deferred<{ ev: string; connected: boolean; reason: string | undefined; cb: string[] }>();
    const entered = deferred();
    s = await startServer(async (scope, receive) => {
      const conn = (scope as HttpScope)['pagi.connection'];
      const cb: string[] = [];
      conn.on_disconnect((r) => cb.push(r));
      entered.resolve();
      let ev = await receive();
      while (ev.type === 'http.request' && ev.more) ev = await receive();
      result.resolve({ ev: ev.type, connected: conn.is_connected(), reason: conn.disconnect_reason(), cb });
    });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
    await entered.promise;
    c.socket.destroy();
    expect(await result.promise).toEqual({
      ev: 'http.disconnect',
      connected: false,
      reason: 'client_closed',
      cb: ['client_closed'],
    });
  });

  it('sends 100 Continue only when the app first calls receive()', async () => {
    const go = deferred();
    s = await startServer(async (_scope, receive, send) => {
      await go.promise;
      const { body } = await readAll(receive as Receive);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body });
    });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.data()).toBe('');
    go.resolve();
    await c.waitFor('HTTP/1.1 100 Continue\r\n\r\n');
    c.socket.write('ping');
    await c.waitFor(/\r\n\r\nping$/);
    c.socket.destroy();
  });

  it('never sends 100 Continue when the app answers without reading', async () => {
    s = await startServer(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 403 });
      await send({ type: 'http.response.body', body: 'no' });
    });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n');
    const text = await c.waitFor(/\r\n\r\nno$/);
    expect(text).not.toContain('100 Continue');
    expect(text.startsWith('HTTP/1.1 403')).toBe(true);
    c.socket.destroy();
  });

  it('keeps serving a pipelined connection after a body the app never read', async () => {
    s = await startServer(async (scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: (scope as HttpScope).path });
    });
    const client = new Client(s.url, { pipelining: 4 });
    const [a, b] = await Promise.all([
      client.request({ path: '/a', method: 'POST', body: 'x'.repeat(5000) }),
      client.request({ path: '/b', method: 'GET' }),
    ]);
    expect(await a.body.text()).toBe('/a');
    expect(await b.body.text()).toBe('/b');
    await client.close();
  });
});
