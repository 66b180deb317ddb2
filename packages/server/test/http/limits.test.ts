import type { HttpScope } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, helloApp, rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

function counting(): { app: typeof helloApp; calls: () => number } {
  let n = 0;
  return {
    app: async (scope, receive, send) => {
      n++;
      await helloApp(scope, receive, send);
    },
    calls: () => n,
  };
}

describe('limits', () => {
  it('answers more than maxHeaderCount header fields with 431 before the app runs', async () => {
    const { app, calls } = counting();
    s = await startServer(app, { maxHeaderCount: 5 });
    const ok = await rawClient(s.port);
    ok.socket.write(`GET / HTTP/1.1\r\nHost: x\r\n${'X-A: 1\r\n'.repeat(3)}Connection: close\r\n\r\n`);
    expect(await ok.closed).toMatch(/^HTTP\/1\.1 200 /);
    const c = await rawClient(s.port);
    c.socket.write(`GET / HTTP/1.1\r\nHost: x\r\n${'X-A: 1\r\n'.repeat(5)}\r\n`);
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(text).toMatch(/connection: close/i);
    expect(calls()).toBe(1);
  });

  it('answers a header section over maxHeaderSize with 431', async () => {
    const { app, calls } = counting();
    s = await startServer(app, { maxHeaderSize: 1024 });
    const c = await rawClient(s.port);
    c.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(2000)}\r\n\r\n`);
    expect(await c.closed).toMatch(/^HTTP\/1\.1 431 .*\r\n[\s\S]*connection: close/i);
    expect(calls()).toBe(0);
  });

  it('answers a declared Content-Length over maxBodySize with 413 before the app runs', async () => {
    const { app, calls } = counting();
    s = await startServer(app, { maxBodySize: 100 });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n');
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/connection: close/i);
    expect(calls()).toBe(0);
  });

  it('stops a chunked body that grows past maxBodySize: disconnect for the app, 413 for the client', async () => {
    const seen = deferred<{ last: string; reason: string | undefined; got: number }>();
    s = await startServer(
      async (scope, receive) => {
        let got = 0;
        for (;;) {
          const ev = await receive();
          if (ev.type !== 'http.request') {
            seen.resolve({
              last: ev.type,
              reason: (scope as HttpScope)['pagi.connection'].disconnect_reason(),
              got,
            });
            return;
          }
          got += ev.body.byteLength;
          if (!ev.more) break;
        }
        seen.resolve({ last: 'complete', reason: undefined, got });
      },
      { maxBodySize: 1000 },
    );
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    c.socket.write(`258\r\n${'a'.repeat(600)}\r\n`);
    c.socket.write(`258\r\n${'a'.repeat(600)}\r\n`);
    const text = await c.waitFor(/\r\n\r\n/);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    const r = await seen.promise;
    expect(r.last).toBe('http.disconnect');
    expect(r.reason).toBe('body_too_large');
    expect(r.got).toBeLessThanOrEqual(1000);
    await c.closed;
  });

  it('answers a client that is too slow with its headers with 408 and closes (slowloris)', async () => {
    const { app, calls } = counting();
    s = await startServer(app, { headersTimeout: 200 });
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(calls()).toBe(0);
  });

  it('closes an idle keep-alive connection after keepAliveTimeout', async () => {
    s = await startServer(helloApp, { keepAliveTimeout: 150 });
    const c = await rawClient(s.port);
    const t0 = Date.now();
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitFor('Hello, World!');
    const text = await c.closed;
    expect(text.match(/HTTP\/1\.1 200/g)?.length).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
  });

  it('ends a request whose body stalls longer than requestTimeout with client_timeout', async () => {
    const seen = deferred<{ ev: string; reason: string | undefined }>();
    s = await startServer(
      async (scope, receive) => {
        let ev = await receive();
        while (ev.type === 'http.request' && ev.more) ev = await receive();
        seen.resolve({ ev: ev.type, reason: (scope as HttpScope)['pagi.connection'].disconnect_reason() });
      },
      { requestTimeout: 150 },
    );
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    expect(await seen.promise).toEqual({ ev: 'http.disconnect', reason: 'client_timeout' });
    await c.closed;
  });

  it('answers connections over maxConnections with 503, Retry-After, Date and Connection: close', async () => {
    const hold = deferred();
    s = await startServer(
      async (scope, receive, send) => {
        if ((scope as HttpScope).path === '/hold') await hold.promise;
        await helloApp(scope, receive, send);
      },
      { maxConnections: 1 },
    );
    const first = await rawClient(s.port);
    first.socket.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(() => s!.server.connectionCount).toBe(1);
    const second = await rawClient(s.port);
    second.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await second.closed;
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(text).toMatch(/\r\ndate: /i);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    hold.resolve();
    await first.waitFor('Hello, World!');
    first.socket.destroy();
    await expect.poll(() => s!.server.connectionCount).toBe(0);
    const third = await rawClient(s.port);
    third.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await third.closed).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes the connection after maxRequestsPerConnection requests', async () => {
    s = await startServer(helloApp, { maxRequestsPerConnection: 2 });
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.waitFor(/Hello, World!$/);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await c.closed;
    expect(text.match(/HTTP\/1\.1 200/g)?.length).toBe(2);
    expect(text).toMatch(/connection: close/i);
  });
});
