import type { HttpScope } from '@pagi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer;
beforeAll(async () => {
  // Echoes what the app saw: scope type, the upgrade-related headers and the whole request body.
  s = await startServer(async (scope, receive, send) => {
    if (scope.type !== 'http') throw new Error(`unexpected ${scope.type} scope`);
    const http = scope as HttpScope;
    let body = '';
    for (;;) {
      const event = await receive();
      if (event.type !== 'http.request') break;
      body += Buffer.from(event.body ?? new Uint8Array()).toString('latin1');
      if (!event.more) break;
    }
    const header = (name: string) => http.headers.find(([n]) => n === name)?.[1];
    const text = `${http.type} ${http.method} ${http.path} upgrade=${header('upgrade')} connection=${header('connection')} body=[${body}]`;
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: text });
  });
});
afterAll(async () => {
  await s.close();
});

// What `curl --http2 http://…` sends (RFC 7540 §3.2).
const H2C =
  'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';

describe('an Upgrade offer other than WebSocket is ignored (RFC 9110 §7.8)', () => {
  it('serves `Upgrade: h2c` as an ordinary HTTP/1.1 request and keeps the connection alive', async () => {
    const c = await rawClient(s.port);
    c.socket.write(`GET /h2c HTTP/1.1\r\nHost: x\r\n${H2C}\r\n`);
    await c.waitFor('body=[]');
    const first = c.data();
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(first).not.toMatch(/101 Switching/);
    expect(first).toMatch(/\r\nConnection: keep-alive\r\n/);
    expect(first.endsWith('http GET /h2c upgrade=h2c connection=Upgrade, HTTP2-Settings body=[]')).toBe(true);
    // The same connection serves the next request, which may offer the upgrade again (curl does).
    c.socket.write(`GET /again HTTP/1.1\r\nHost: x\r\n${H2C}Connection: close\r\n\r\n`);
    const text = await c.closed;
    expect(text.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(2);
    expect(text).toContain('http GET /again upgrade=h2c');
  });

  it('reads a Content-Length body that arrives after the head, then closes', async () => {
    const c = await rawClient(s.port);
    c.socket.write(`POST /cl HTTP/1.1\r\nHost: x\r\n${H2C}Content-Length: 11\r\n\r\nhello`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    c.socket.write(' world');
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // Bytes after a body could be dropped by node's parser unseen: the connection is not reused.
    expect(text).toMatch(/\r\nConnection: close\r\n/);
    expect(text.endsWith('body=[hello world]')).toBe(true);
  });

  it('reads a chunked body, for any protocol offered', async () => {
    const c = await rawClient(s.port);
    c.socket.write(
      'POST /chunked HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: foo/2, bar\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
    );
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.endsWith('http POST /chunked upgrade=foo/2, bar connection=upgrade body=[abcde]')).toBe(true);
  });

  it.each([
    ['first in the read', ''],
    ['behind another request', 'GET /before HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])(
    'closes after the offer when a request was pipelined behind it (%s), never leaving the client waiting',
    async (_name, before) => {
      const c = await rawClient(s.port);
      // node 20's parser drops what follows an upgrade offer in the same read: /lost is never
      // seen, so the server closes after answering rather than let the client wait for it (the
      // client sends it again on a new connection, RFC 9112 §9.3.2).
      c.socket.write(
        `${before}GET /offer HTTP/1.1\r\nHost: x\r\n${H2C}\r\nGET /lost HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      const text = await c.closed;
      expect(text.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(before === '' ? 1 : 2);
      expect(text).toMatch(/\r\nConnection: close\r\n[\s\S]*http GET \/offer upgrade=h2c/);
      expect(text).not.toContain('/lost');
    },
  );
});
