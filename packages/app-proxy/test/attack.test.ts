/**
 * No open proxy: the destination never comes from the request. Absolute-form targets, a hostile
 * Host, a hostile routing header or path — the "evil" server must never see a request.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { getHeader, PagiValidationError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxy } from '../src/index.js';
import { type Backend, startBackend } from './backend.js';
import { serve } from './serve.js';

let good: Backend;
let evil: Backend;
beforeAll(async () => {
  good = await startBackend();
  evil = await startBackend();
});
afterAll(async () => {
  await good.close();
  await evil.close();
});

/** Sends `head` on a raw socket and returns the status line of the answer. */
async function raw(port: number, head: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(head);
  let text = '';
  socket.setEncoding('latin1');
  for await (const chunk of socket) {
    text += chunk;
    if (text.includes('\r\n')) break;
  }
  socket.destroy();
  return text.split('\r\n')[0]!;
}

describe('attacks', () => {
  it('an absolute-form request target (GET http://evil/...) is refused with 400; nobody is contacted', async () => {
    const app = proxy({ target: good.url });
    const front = await serve(app);
    try {
      const before = good.seen.length;
      const evilHost = `127.0.0.1:${evil.port}`;
      expect(
        await raw(front.port, `GET http://${evilHost}/steal HTTP/1.1\r\nHost: ${evilHost}\r\n\r\n`),
      ).toMatch(/^HTTP\/1\.1 400 /);
      expect(good.seen.length).toBe(before);
      expect(evil.seen.length).toBe(0);
    } finally {
      await front.close();
      await app.close();
    }
  });

  it('a hostile Host header or a //host path still goes to the configured backend only', async () => {
    const app = proxy({ target: good.url });
    const front = await serve(app);
    try {
      const evilHost = `127.0.0.1:${evil.port}`;
      const res = await request(`${front.url}/echo`, { headers: { host: evilHost } });
      const json = (await res.body.json()) as { headers: [string, string][] };
      expect(json.headers.find((h) => h[0] === 'host')![1]).toBe(`127.0.0.1:${good.port}`);
      expect(await raw(front.port, `GET //${evilHost}/echo HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(
        /^HTTP\/1\.1 200 /,
      );
      expect(good.seen.at(-1)!.url).toBe(`//${evilHost}/echo`);
      expect(evil.seen.length).toBe(0);
    } finally {
      await front.close();
      await app.close();
    }
  });

  it('header-based routing: a name not on the allow-list (a URL, __proto__, constructor) is 421', async () => {
    const app = proxy({ targets: { a: good.url }, route: (s) => getHeader(s.headers, 'x-backend') });
    const client = new TestClient(app);
    try {
      expect((await client.get('/echo', { headers: { 'x-backend': 'a' } })).status).toBe(200);
      for (const name of [`http://127.0.0.1:${evil.port}`, '__proto__', 'constructor', 'toString', '']) {
        const res = await client.get('/echo', { headers: { 'x-backend': name } });
        expect(res.status).toBe(421);
      }
      expect((await client.get('/echo')).status).toBe(421);
      expect(evil.seen.length).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('URL allow-list routing: only a listed URL is used, compared after URL normalisation', async () => {
    const app = proxy({ targets: [good.url], route: (s) => getHeader(s.headers, 'x-backend') });
    const client = new TestClient(app);
    try {
      expect((await client.get('/echo', { headers: { 'x-backend': `${good.url}/` } })).status).toBe(200);
      for (const url of [
        `http://127.0.0.1:${evil.port}/`,
        `${good.url}@127.0.0.1:${evil.port}/`,
        'not a url',
      ]) {
        expect((await client.get('/echo', { headers: { 'x-backend': url } })).status).toBe(421);
      }
      expect(evil.seen.length).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('a WebSocket or SSE request with no backend is refused too (421 / close before accept)', async () => {
    const app = proxy({ targets: { a: good.url }, route: () => undefined });
    const client = new TestClient(app);
    const sse = await client.sse('/sse');
    expect(sse.status).toBe(421);
    const ws = await client.websocket('/ws-echo');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(421);
    expect(evil.seen.length).toBe(0);
  });
});

describe('options', () => {
  it('are validated at factory time, naming the bad one', () => {
    const bad: [unknown, RegExp][] = [
      [{ target: good.url, nope: 1 }, /unknown option 'nope'/],
      [{}, /expected a target/],
      [{ target: 'ftp://x' }, /http: or https:/],
      [{ target: 'not a url' }, /expected target to be an http\(s\) URL/],
      [{ target: 'http://u:p@x' }, /credentials/],
      [{ target: 'http://x/?q=1' }, /query/],
      [{ target: good.url, targets: [good.url] }, /either target/],
      [{ targets: [good.url] }, /needs route/],
      [{ targets: [], route: () => '' }, /targets is empty/],
      [{ target: good.url, host: 'keep' }, /host to be 'rewrite' or 'preserve'/],
      [{ target: good.url, connectTimeout: 0 }, /connectTimeout to be an integer >= 1/],
      [{ target: good.url, sseIdleTimeout: -1 }, /sseIdleTimeout/],
      [{ target: good.url, forwardedHeaders: 'yes' }, /forwardedHeaders to be a boolean/],
    ];
    for (const [options, message] of bad) {
      expect(() => proxy(options as never)).toThrow(PagiValidationError);
      expect(() => proxy(options as never)).toThrow(message);
    }
  });

  it('lifespan: startup completes, shutdown closes the pool', async () => {
    const app = proxy({ target: good.url });
    const client = new TestClient(app);
    await client.lifespan(async () => {
      expect((await client.get('/echo')).status).toBe(200);
    });
  });
});
