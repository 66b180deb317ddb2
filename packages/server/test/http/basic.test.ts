import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { helloApp, rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('hello world', () => {
  it('answers with a content-length, a date and the body', async () => {
    s = await startServer(helloApp);
    const res = await request(`${s.url}/`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('13');
    expect(res.headers.date).toMatch(/GMT$/);
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(await res.body.text()).toBe('Hello, World!');
  });

  it('writes start and a final body as one response head + body on the wire', async () => {
    s = await startServer(helloApp);
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = await c.closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\ncontent-length: 13\r\n/i);
    expect(text.endsWith('\r\n\r\nHello, World!')).toBe(true);
  });
});
