/** A real Express 5 app through fromNodeHandler under @pagi/server, over real sockets. */
import { Readable } from 'node:stream';
import { Router } from '@pagi/router';
import express from 'express';
import { request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { fromNodeHandler } from '../src/index.js';
import { recordingLogger, serve } from './support/serve.js';

const log = recordingLogger();
let base = '';
let close: () => Promise<void>;

function expressApp(): express.Express {
  const web = express();
  web.get('/', (_req, res) => {
    res.send('home');
  });
  web.get('/users/:id', (req, res) => {
    res.json({ id: req.params.id, q: req.query.q ?? null, ip: req.ip, protocol: req.protocol });
  });
  web.post('/json', express.json(), (req, res) => {
    res.status(201).json({ got: req.body });
  });
  web.post('/form', express.urlencoded({ extended: false }), (req, res) => {
    res.json(req.body);
  });
  web.post('/upload', express.raw({ type: 'multipart/form-data', limit: '10mb' }), (req, res) => {
    const body = req.body as Buffer;
    res.json({ bytes: body.byteLength, hasFile: body.includes('file-content-xyz') });
  });
  web.get('/stream', (_req, res) => {
    res.type('text/plain');
    Readable.from(['one ', 'two ', 'three']).pipe(res);
  });
  web.get('/cookie', (req, res) => {
    res.cookie('session', 'abc', { httpOnly: true });
    res.cookie('theme', 'dark');
    res.send(req.headers.cookie ?? 'none');
  });
  web.get('/old', (_req, res) => {
    res.redirect(301, '/new');
  });
  web.get('/fail', () => {
    throw new Error('express route failed');
  });
  const sub = express.Router();
  sub.get('/where', (req, res) => {
    res.json({ url: req.url, originalUrl: req.originalUrl, baseUrl: req.baseUrl });
  });
  web.use('/sub', sub);
  return web;
}

beforeAll(async () => {
  const router = new Router();
  // A PAGI WebSocket route beside the Express app, in one server.
  router.websocket('/ws', async (_scope, receive, send) => {
    await receive();
    await send({ type: 'websocket.accept' });
    for (;;) {
      const event = await receive();
      if (event.type !== 'websocket.receive') return;
      await send({ type: 'websocket.send', text: `echo ${event.text}` });
    }
  });
  const quiet = express();
  quiet.set('env', 'test'); // finalhandler: no stack traces on stderr
  quiet.use(expressApp());
  router.mount('/', fromNodeHandler(quiet, { logger: log.logger }));
  const served = await serve(router.app);
  base = served.url;
  close = served.close;
});
afterAll(() => close());

test('routing with params and query; req.ip and req.protocol from the scope', async () => {
  const res = await request(`${base}/users/42?q=x`);
  expect(res.statusCode).toBe(200);
  const body = (await res.body.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ id: '42', q: 'x', protocol: 'http' });
  expect(String(body.ip)).toMatch(/127\.0\.0\.1|::1/);
});

test('JSON body in, JSON out', async () => {
  const res = await request(`${base}/json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ a: [1, 2] }),
  });
  expect(res.statusCode).toBe(201);
  expect(await res.body.json()).toEqual({ got: { a: [1, 2] } });
});

test('urlencoded form body', async () => {
  const res = await request(`${base}/form`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=Ada+Lovelace&lang=en',
  });
  expect(await res.body.json()).toEqual({ name: 'Ada Lovelace', lang: 'en' });
});

test('multipart file upload', async () => {
  const form = new FormData();
  form.append('title', 'doc');
  form.append('file', new Blob([`file-content-xyz${'.'.repeat(200_000)}`]), 'a.txt');
  const res = await fetch(`${base}/upload`, { method: 'POST', body: form });
  const body = (await res.json()) as { bytes: number; hasFile: boolean };
  expect(body.hasFile).toBe(true);
  expect(body.bytes).toBeGreaterThan(200_000);
});

test('a piped stream becomes a streamed response', async () => {
  const res = await request(`${base}/stream`);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  expect(await res.body.text()).toBe('one two three');
});

test('cookies both ways', async () => {
  const res = await request(`${base}/cookie`, { headers: { cookie: 'a=1; b=2' } });
  expect(res.headers['set-cookie']).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/']);
  expect(await res.body.text()).toBe('a=1; b=2');
});

test('redirects', async () => {
  const res = await request(`${base}/old`);
  expect(res.statusCode).toBe(301);
  expect(res.headers.location).toBe('/new');
  await res.body.dump();
});

test('an error in a route is Express’s own 500; unknown paths are Express’s 404', async () => {
  const failed = await request(`${base}/fail`);
  expect(failed.statusCode).toBe(500);
  await failed.body.dump();
  const missing = await request(`${base}/nope`);
  expect(missing.statusCode).toBe(404);
  expect(await missing.body.text()).toContain('Cannot GET /nope');
});

test('Express sub-routers see their own url, baseUrl and originalUrl', async () => {
  const res = await request(`${base}/sub/where?x=1`);
  expect(await res.body.json()).toEqual({
    url: '/where?x=1',
    originalUrl: '/sub/where?x=1',
    baseUrl: '/sub',
  });
});

test('HEAD gets the headers without a body', async () => {
  const res = await request(`${base}/`, { method: 'HEAD' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-length']).toBe('4');
  expect(await res.body.text()).toBe('');
});

test('a PAGI WebSocket route serves beside the Express app in the same server', async () => {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  ws.send('hi');
  expect(await reply).toBe('echo hi');
  ws.close();
  // And Express still answers on the same port.
  expect(await (await request(`${base}/`)).body.text()).toBe('home');
});
