import type { HttpScope } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deferred,
  helloApp,
  type RawClient,
  rawClient,
  type StartedServer,
  startServer,
} from '../helpers/start-server.js';

let s: StartedServer | undefined;
const open: RawClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.socket.destroy();
  await s?.close();
  s = undefined;
});

async function client(port: number, from?: string): Promise<RawClient> {
  const c = await rawClient(port, from);
  open.push(c);
  return c;
}

/** One request on a fresh connection; the status line's code, or 0 when the connection died. */
async function statusOf(port: number, from?: string): Promise<number> {
  const c = await client(port, from);
  c.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const text = await c.closed;
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

/** Writes `text` one byte every `ms` until the socket closes. */
function dribble(c: RawClient, text: string, ms: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (c.socket.destroyed || i >= text.length) return clearInterval(timer);
    c.socket.write(text[i++]!);
  }, ms);
  c.socket.once('close', () => clearInterval(timer));
}

describe('slow clients (requestReadTimeout)', () => {
  it('200 slowloris clients against a cap of 100: a normal client is served within 2 s (deadline 0.5 s)', async () => {
    s = await startServer(helloApp, {
      maxConnections: 100,
      maxConnectionsPerAddress: 0,
      // node's own header timer off: only the whole-request deadline is at work here.
      headersTimeout: 0,
      requestReadTimeout: 500,
      logLevel: 'info',
    });
    const slow = await Promise.all(Array.from({ length: 200 }, () => client(s!.port)));
    // Each keeps its header section alive with a byte every 100 ms and never finishes it.
    for (const c of slow) dribble(c, `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(1000)}`, 100);
    const t0 = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - t0 < 10_000) {
      status = await statusOf(s.port);
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(2000);
    // The slow ones were answered 408 and closed (the first 100; the rest got 503 on accept).
    const texts = await Promise.all(slow.map((c) => c.closed));
    expect(texts.filter((t) => /^HTTP\/1\.1 408 /.test(t)).length).toBeGreaterThan(0);
  });

  it('cuts a slow-body client (a byte every 300 ms) at the deadline: 408, then close; the app sees client_timeout', async () => {
    const seen = deferred<{ ev: string; reason: string | undefined }>();
    s = await startServer(
      async (scope, receive) => {
        let ev = await receive();
        while (ev.type === 'http.request' && ev.more) ev = await receive();
        seen.resolve({ ev: ev.type, reason: (scope as HttpScope)['pagi.connection'].disconnect_reason() });
      },
      // The gap timer never fires: each byte arrives well within it.
      { requestReadTimeout: 1000, requestTimeout: 5000 },
    );
    const c = await client(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
    dribble(c, 'x'.repeat(1000), 300);
    expect(await seen.promise).toEqual({ ev: 'http.disconnect', reason: 'client_timeout' });
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
  });
});

describe('requestReadTimeout bookkeeping', () => {
  const readAll = async (receive: () => Promise<any>): Promise<number> => {
    let n = 0;
    for (;;) {
      const ev = await receive();
      if (ev.type !== 'http.request') return -1;
      n += ev.body.length;
      if (!ev.more) return n;
    }
  };

  it('starts a fresh deadline for each keep-alive request', async () => {
    s = await startServer(
      async (_scope, receive, send) => {
        const n = await readAll(receive);
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: `got ${n}` });
      },
      { requestReadTimeout: 800 },
    );
    const c = await client(s.port);
    // Two requests of ~500 ms each on one connection: over 800 ms together, under it each.
    for (const i of [1, 2]) {
      c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n');
      for (let k = 0; k < 5; k++) {
        await new Promise((r) => setTimeout(r, 100));
        c.socket.write('x');
      }
      await c.waitFor(new RegExp(`(got 5[^]*){${i}}`));
    }
    expect(c.data()).not.toMatch(/ 408 /);
  });

  it('does not fire while received body bytes wait for a busy app', async () => {
    s = await startServer(
      async (_scope, receive, send) => {
        // The app is slow (2.5 deadlines), not the client. The deadline is 1 s rather than a few
        // hundred ms so that a loaded machine delivering the 4 MiB slowly cannot fire it first.
        await new Promise((r) => setTimeout(r, 2500));
        const n = await readAll(receive);
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: `got ${n}` });
      },
      { requestReadTimeout: 1000 },
    );
    const c = await client(s.port);
    const size = 4 * 1024 * 1024; // more than the socket and stream buffers take
    c.socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
    c.socket.write(Buffer.alloc(size, 0x61));
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain(`got ${size}`);
  });
});

describe('stalled readers (sendTimeout)', () => {
  it('cuts a client that never reads a large streamed response; the app sees http.disconnect and send() is released', async () => {
    const outcome = deferred<{ sends: number; reason: string | undefined; ev: string }>();
    s = await startServer(
      async (scope, receive, send) => {
        await send({
          type: 'http.response.start',
          status: 200,
          headers: [['content-type', 'application/octet-stream']],
        });
        const chunk = new Uint8Array(64 * 1024);
        let sends = 0;
        const conn = (scope as HttpScope)['pagi.connection'];
        // Each await returns once there is room or the connection is gone; it must never hang.
        while (conn.is_connected() && sends < 100_000) {
          await send({ type: 'http.response.body', body: chunk, more: true });
          sends++;
        }
        const ev = await receive();
        outcome.resolve({ sends, reason: conn.disconnect_reason(), ev: ev.type });
      },
      { sendTimeout: 500 },
    );
    const c = await client(s.port);
    c.socket.pause(); // never read
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await outcome.promise;
    expect(r.reason).toBe('write_timeout');
    expect(r.ev).toBe('http.disconnect');
    expect(r.sends).toBeLessThan(100_000);
    await expect.poll(() => s!.server.connectionCount).toBe(0);
  });

  it('leaves a client that reads slowly but steadily alone', async () => {
    s = await startServer(
      async (_scope, _receive, send) => {
        await send({
          type: 'http.response.start',
          status: 200,
          headers: [['content-length', String(24 * 65536)]],
        });
        const chunk = new Uint8Array(64 * 1024).fill(0x61);
        for (let i = 0; i < 24; i++) await send({ type: 'http.response.body', body: chunk, more: i < 23 });
      },
      { sendTimeout: 400 },
    );
    const c = await client(s.port);
    c.socket.pause();
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    // Take 256 KiB every 100 ms: steady progress, so never "stalled" for 400 ms, though the
    // 1.5 MiB response outgrows the socket buffers.
    const timer = setInterval(() => {
      let taken = 0;
      while (taken < 256 * 1024) {
        const piece = c.socket.read() as Buffer | null;
        if (piece === null) break;
        taken += piece.length;
      }
    }, 100);
    const text = await c.closed;
    clearInterval(timer);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.length - text.indexOf('\r\n\r\n') - 4).toBe(24 * 65536);
  });
});

describe('stalled WebSocket readers (sendTimeout)', () => {
  it('closes a WebSocket whose client stopped reading; the app gets websocket.disconnect', async () => {
    const outcome = deferred<{ type: string; code?: number }>();
    s = await startServer(
      async (scope, receive, send) => {
        if (scope.type !== 'websocket') return;
        await receive();
        await send({ type: 'websocket.accept' });
        const chunk = new Uint8Array(64 * 1024);
        let gone = false;
        const disconnected = receive().then((ev) => {
          gone = true;
          return ev;
        });
        for (let i = 0; i < 100_000 && !gone; i++) await send({ type: 'websocket.send', bytes: chunk });
        const ev = (await disconnected) as { type: string; code?: number };
        outcome.resolve({ type: ev.type, code: ev.code });
      },
      { sendTimeout: 500 },
    );
    const c = await client(s.port);
    c.socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await c.waitFor('101 Switching Protocols');
    c.socket.pause(); // never read again
    expect(await outcome.promise).toEqual({ type: 'websocket.disconnect', code: 1006 });
    await expect.poll(() => s!.server.connectionCount).toBe(0);
  });
});

describe('maxConnectionsPerAddress', () => {
  it('refuses the N+1th connection from one address with 503 before reading it; another address is served', async () => {
    const { app } = { app: helloApp };
    s = await startServer(app, { maxConnectionsPerAddress: 2 });
    const a = await client(s.port);
    const b = await client(s.port);
    await expect.poll(() => s!.server.connectionCount).toBe(2);
    // The third from 127.0.0.1 is answered without sending a byte: refused at accept.
    const third = await client(s.port);
    const text = await third.closed;
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text).toMatch(/\r\nRetry-After: 5\r\n/i);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(s.server.connectionCount).toBe(2);
    // 127.0.0.2 is another client address (the loopback net is 127/8).
    expect(await statusOf(s.port, '127.0.0.2')).toBe(200);
    // A slot freed on 127.0.0.1 is usable again.
    a.socket.destroy();
    await expect.poll(() => s!.server.connectionCount).toBe(1);
    expect(await statusOf(s.port)).toBe(200);
    b.socket.destroy();
  });
});
