import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpScope } from '@pagi/spec';
import { deferred, helloApp, rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer;
let calls = 0;
beforeEach(async () => {
  calls = 0;
  s = await startServer(async (scope, receive, send) => {
    calls++;
    await helloApp(scope, receive, send);
  });
});
afterEach(async () => {
  await s.close();
});

const CASES: Array<[string, string, RegExp]> = [
  ['a bad request line', 'GET/ HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['an unknown HTTP version', 'GET / HTTP/9.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 (400|505) /],
  ['a missing Host on HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', /^HTTP\/1\.1 400 /],
  [
    'an invalid chunk size',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    /^HTTP\/1\.1 400 /,
  ],
  [
    'both Content-Length and Transfer-Encoding',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
    /^HTTP\/1\.1 400 /,
  ],
  [
    'two different Content-Length values',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
    /^HTTP\/1\.1 400 /,
  ],
  [
    'a signed Content-Length',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello',
    /^HTTP\/1\.1 400 /,
  ],
  [
    'obs-fold continuation lines',
    'GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\r\n',
    /^HTTP\/1\.1 400 /,
  ],
  ['NUL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['a bare CR in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n', /^HTTP\/1\.1 400 /],
  ['a bare LF line ending', 'GET / HTTP/1.1\nHost: x\nX-Bad: a\n\n', /^HTTP\/1\.1 400 /],
  ['a space before the colon', 'GET / HTTP/1.1\r\nHost: x\r\nX-Bad : a\r\n\r\n', /^HTTP\/1\.1 400 /],
  [
    'a Transfer-Encoding other than chunked',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc',
    /^HTTP\/1\.1 501 /,
  ],
  [
    'chunked that is not the last coding',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n',
    /^HTTP\/1\.1 400 /,
  ],
];

describe('malformed requests never reach the app', () => {
  it.each(CASES)('answers %s with a 4xx/5xx and closes', async (_name, bytes, status) => {
    const c = await rawClient(s.port);
    c.socket.write(bytes);
    const text = await c.closed;
    expect(text).toMatch(status);
    expect(text).toMatch(/connection: close/i);
    expect(text.match(/HTTP\/1\.1/g)?.length).toBe(1);
    expect(calls).toBe(0);
  });

  it('answers an oversized header section with 431', async () => {
    const c = await rawClient(s.port);
    c.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(await c.closed).toMatch(/^HTTP\/1\.1 431 /);
    expect(calls).toBe(0);
  });

  it('answers an oversized request line with 431 (request line and headers share maxHeaderSize)', async () => {
    const c = await rawClient(s.port);
    c.socket.write(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(await c.closed).toMatch(/^HTTP\/1\.1 (414|431) /);
    expect(calls).toBe(0);
  });

  it('keeps serving other connections after a protocol error', async () => {
    const bad = await rawClient(s.port);
    bad.socket.write('BROKEN\r\n\r\n');
    await bad.closed;
    const good = await rawClient(s.port);
    good.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await good.closed).toMatch(/Hello, World!$/);
    expect(calls).toBe(1);
  });

  it('ends a running request with protocol_error when a later read breaks the framing', async () => {
    await s.close();
    const seen: string[] = [];
    const done = deferred();
    s = await startServer(async (scope, receive) => {
      calls++;
      for (;;) {
        const ev = await receive();
        seen.push(ev.type === 'http.request' ? `body:${Buffer.from(ev.body).toString()}` : ev.type);
        if (ev.type !== 'http.request' || !ev.more) break;
      }
      seen.push(String((scope as HttpScope)['pagi.connection'].disconnect_reason()));
      done.resolve();
    });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    await expect.poll(() => seen.length).toBe(1);
    c.socket.write('zz\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
    await done.promise;
    expect(await c.closed).toMatch(/^HTTP\/1\.1 400 /);
    expect(seen).toEqual(['body:abc', 'http.disconnect', 'protocol_error']);
    expect(calls).toBe(1);
  });

  it('answers a complete request followed by garbage in the same read, then closes', async () => {
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n');
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toMatch(/Hello, World!$/);
    expect(calls).toBe(1);
  });
});
