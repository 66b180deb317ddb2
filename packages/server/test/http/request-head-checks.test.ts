import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferred, helloApp, rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer;
let calls = 0;
beforeAll(async () => {
  s = await startServer(async (scope, receive, send) => {
    calls++;
    await helloApp(scope, receive, send);
  });
});
afterAll(async () => {
  await s.close();
});

/** The server's text/plain refusal: status line, the short body, Connection: close (simple-response.ts). */
function expectRefusal(text: string, status: string, body: string): void {
  expect(text.match(/HTTP\/1\.1 /g)?.length).toBe(1); // one answer, nothing after it
  const cut = text.indexOf('\r\n\r\n');
  const head = text.slice(0, cut);
  const rest = text.slice(cut + 4);
  expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
  expect(head).toMatch(/\r\ncontent-type: text\/plain; charset=utf-8\r\n/i);
  expect(head).toMatch(/\r\nconnection: close(\r\n|$)/i);
  expect(head).not.toMatch(/transfer-encoding/i);
  expect(head).toMatch(new RegExp(`\\r\\ncontent-length: ${Buffer.byteLength(body)}(\\r\\n|$)`, 'i'));
  expect(rest).toBe(body);
}

const CASES: Array<[string, string, string, string]> = [
  [
    'two Host headers',
    'GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n',
    '400 Bad Request',
    'Bad Request: more than one Host header\n',
  ],
  [
    'an invalid Host',
    'GET / HTTP/1.1\r\nHost: bad host\r\n\r\n',
    '400 Bad Request',
    'Bad Request: invalid Host header (expected host[:port])\n',
  ],
  [
    'a Host with userinfo',
    'GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n',
    '400 Bad Request',
    'Bad Request: invalid Host header (expected host[:port])\n',
  ],
  [
    'a missing Host on HTTP/1.1',
    'GET / HTTP/1.1\r\n\r\n',
    '400 Bad Request',
    'Bad Request: missing Host header (required since HTTP 1.1)\n',
  ],
  [
    'HTTP/2.0 in an HTTP/1.x request line',
    'GET / HTTP/2.0\r\nHost: x\r\n\r\n',
    '505 HTTP Version Not Supported',
    'HTTP Version Not Supported: HTTP/2.0 is not supported here (HTTP/1.0 and 1.1 are)\n',
  ],
  [
    'a request line without a version',
    'GET /\r\nHost: x\r\n\r\n',
    '400 Bad Request',
    'Bad Request: request line without an HTTP version (HTTP/0.9 is not supported)\n',
  ],
  [
    'Transfer-Encoding on an HTTP/1.0 request',
    'POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.0\r\n\r\n',
    '400 Bad Request',
    'Bad Request: Transfer-Encoding is not allowed in an HTTP/1.0 request\n',
  ],
  [
    'a plain CONNECT',
    'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    '501 Not Implemented',
    'Not Implemented: CONNECT is not supported (this server is not a proxy)\n',
  ],
  // Refused by llhttp itself (the 'clientError' path): the same kind of answer.
  [
    'HTTP/1.2 (refused by the parser)',
    'GET / HTTP/1.2\r\nHost: x\r\n\r\n',
    '400 Bad Request',
    'Bad Request: malformed request\n',
  ],
  [
    'an HTTP/2 preface on an HTTP/1.1 port (refused by the parser)',
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    '400 Bad Request',
    'Bad Request: malformed request\n',
  ],
];

describe('request heads RFC 9112 refuses (request-line-checks.ts)', () => {
  it.each(CASES)('answers %s with a text/plain refusal and closes', async (_name, bytes, status, body) => {
    const before = calls;
    const c = await rawClient(s.port);
    c.socket.write(bytes);
    const text = await c.closed; // resolves only once the server closed the connection
    expectRefusal(text, status, body);
    expect(calls).toBe(before);
  });

  it.each([
    ['a host name with a port', 'example.com:8080'],
    ['an IPv4 address', '192.0.2.1'],
    ['an IPv6 literal with a port', '[2001:db8::1]:443'],
    ['an IPvFuture literal', '[v1.fe80::a+en1]'],
    ['an empty value', ''],
  ])('serves %s as Host', async (_name, host) => {
    const c = await rawClient(s.port);
    c.socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.endsWith('Hello, World!')).toBe(true);
  });

  it('serves an HTTP/1.0 request without Host', async () => {
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.0\r\n\r\n');
    expect(await c.closed).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Hello, World!$/);
  });

  it('lets a response in flight finish, then closes, on a CONNECT pipelined behind it', async () => {
    const entered = deferred();
    const release = deferred();
    const held = await startServer(async (scope, receive, send) => {
      entered.resolve();
      await release.promise;
      await helloApp(scope, receive, send);
    });
    try {
      const c = await rawClient(held.port);
      c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await entered.promise;
      c.socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      await expect.poll(() => held.logs.some((l) => l.includes('CONNECT pipelined'))).toBe(true);
      release.resolve();
      const text = await c.closed;
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\nConnection: close\r\n\r\nHello, World!$/);
      expect(text.match(/HTTP\/1\.1 /g)?.length).toBe(1);
    } finally {
      await held.close();
    }
  });

  it.each([
    ['two Host headers', 'Host: a\r\nHost: b\r\n', 'more than one Host header\n'],
    ['an invalid Host', 'Host: bad host\r\n', 'invalid Host header (expected host[:port])\n'],
    ['no Host', '', 'missing Host header (required since HTTP 1.1)\n'],
  ])('refuses a WebSocket handshake with %s (400, app not called)', async (_name, host, body) => {
    const before = calls;
    const c = await rawClient(s.port);
    c.socket.write(
      `GET /ws HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(text.endsWith(`\r\n\r\n${body}`)).toBe(true);
    expect(calls).toBe(before);
  });
});
