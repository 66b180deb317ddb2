/** Over a real socket: undici (fetch) for HTTP and SSE, `ws` for WebSocket. */
import { createServer, type PagiServer } from '@pagi/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { notFound } from '../src/index.js';

let server: PagiServer;
let url: string;
beforeAll(async () => {
  const app = notFound({ body: '<h1>{path}</h1>', contentType: 'text/html; charset=utf-8' });
  server = createServer(app, { port: 0, logLevel: 'silent', lifespan: 'auto' } as never);
  await server.listen();
  url = String(server.url).replace(/\/$/, '');
});
afterAll(async () => {
  await server.close();
});

it('HTTP and SSE get the 404 page, escaped', async () => {
  const res = await fetch(`${url}/%3Cb%3E`);
  expect(res.status).toBe(404);
  expect(await res.text()).toBe('<h1>/&lt;b&gt;</h1>');
  const sse = await fetch(`${url}/x`, { headers: { accept: 'text/event-stream' } });
  expect(sse.status).toBe(404);
  expect(await sse.text()).toBe('<h1>/x</h1>');
});

it('WebSocket gets a 404 denial', async () => {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  const status = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => {});
  });
  expect(status).toBe(404);
});
