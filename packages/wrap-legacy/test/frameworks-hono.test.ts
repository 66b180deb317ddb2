/**
 * A real Hono app through fromFetchHandler under @pagi/server, over real sockets, as documented
 * (the lightweight global Response); frameworks-hono-native.test.ts runs it on the real Response.
 */
import { connect } from 'node:net';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { stream } from 'hono/streaming';
import { request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fromFetchHandler } from '../src/index.js';
import { honoSuite } from './support/hono-suite.js';
import { recordingLogger, serve } from './support/serve.js';

const log = recordingLogger();
let base = '';
let close: () => Promise<void>;
let aborted!: Promise<string>;

beforeAll(async () => {
  let onAbort!: (why: string) => void;
  aborted = new Promise((r) => {
    onAbort = r;
  });
  const hono = new Hono();
  hono.get('/', (c) => c.text('hono home'));
  hono.get('/users/:id', (c) => c.json({ id: c.req.param('id'), q: c.req.query('q') ?? null }));
  hono.post('/json', async (c) => c.json({ got: await c.req.json() }, 201));
  hono.post('/form', async (c) => c.json(await c.req.parseBody()));
  hono.post('/upload', async (c) => {
    const body = await c.req.parseBody();
    const file = body.file as File;
    return c.json({ name: file.name, size: file.size, title: body.title });
  });
  hono.post('/count', async (c) => {
    let total = 0;
    const reader = (c.req.raw.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
    }
    return c.text(String(total));
  });
  hono.get('/stream', (c) =>
    stream(c, async (s) => {
      for (const part of ['x', 'y', 'z']) await s.write(part);
    }),
  );
  hono.get('/cookie', (c) => {
    setCookie(c, 'a', '1');
    setCookie(c, 'b', '2');
    return c.text(getCookie(c, 'in') ?? 'none');
  });
  hono.get('/old', (c) => c.redirect('/new', 301));
  hono.get('/fail', () => {
    throw new Error('hono route failed');
  });
  hono.get('/hang', (c) => {
    c.req.raw.signal.addEventListener('abort', () => onAbort('aborted'));
    let sent = false;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (!sent) controller.enqueue(new TextEncoder().encode('first'));
          sent = true;
          return new Promise(() => {});
        },
      }),
    );
  });
  hono.onError((_err, c) => c.text('hono error page', 500));
  const served = await serve(
    fromFetchHandler(hono.fetch, {
      logger: log.logger,
      overrideGlobalResponse: honoSuite.overrideGlobalResponse,
    }),
  );
  base = served.url;
  close = served.close;
});
afterAll(() => close());

test('routing with params and query', async () => {
  expect(await (await request(`${base}/`)).body.text()).toBe('hono home');
  expect(await (await request(`${base}/users/9?q=z`)).body.json()).toEqual({ id: '9', q: 'z' });
});

test('JSON and form bodies', async () => {
  const json = await request(`${base}/json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"k":true}',
  });
  expect(json.statusCode).toBe(201);
  expect(await json.body.json()).toEqual({ got: { k: true } });
  const form = await request(`${base}/form`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'a=1&b=2',
  });
  expect(await form.body.json()).toEqual({ a: '1', b: '2' });
});

test('multipart upload and a large streamed request body', async () => {
  const form = new FormData();
  form.append('title', 'report');
  form.append('file', new Blob(['z'.repeat(100_000)]), 'r.txt');
  const up = await fetch(`${base}/upload`, { method: 'POST', body: form });
  expect(await up.json()).toEqual({ name: 'r.txt', size: 100_000, title: 'report' });
  const big = Buffer.alloc(4 * 1024 * 1024, 1);
  expect(await (await request(`${base}/count`, { method: 'POST', body: big })).body.text()).toBe(
    String(big.length),
  );
});

test('streaming response, cookies, redirects', async () => {
  expect(await (await request(`${base}/stream`)).body.text()).toBe('xyz');
  const cookie = await request(`${base}/cookie`, { headers: { cookie: 'in=yes' } });
  expect(cookie.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
  expect(await cookie.body.text()).toBe('yes');
  const redirect = await request(`${base}/old`);
  expect(redirect.statusCode).toBe(301);
  expect(redirect.headers.location).toBe('/new');
  await redirect.body.dump();
});

test('errors and 404s are Hono’s own', async () => {
  const failed = await request(`${base}/fail`);
  expect(failed.statusCode).toBe(500);
  expect(await failed.body.text()).toBe('hono error page');
  const missing = await request(`${base}/missing`);
  expect(missing.statusCode).toBe(404);
  await missing.body.dump();
});

test('the client going away aborts request.signal', async () => {
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise<void>((r) => socket.once('data', () => r()));
  socket.destroy();
  expect(await aborted).toBe('aborted');
});
