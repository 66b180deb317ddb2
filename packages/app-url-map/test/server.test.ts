/** Over a real socket: undici (fetch) for HTTP and SSE, `ws` for WebSocket. */
import type { App } from '@pagi/spec';
import { createServer, type PagiServer } from '@pagi/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { urlMap } from '../src/index.js';

const api: App = async (scope, _receive, send) => {
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: `api ${scope.root_path} ${scope.path}` });
  } else if (scope.type === 'websocket') {
    await send({ type: 'websocket.accept' });
    await send({ type: 'websocket.send', text: `ws ${scope.root_path}` });
    await send({ type: 'websocket.close' });
  }
};

let server: PagiServer;
let url: string;
beforeAll(async () => {
  server = createServer(urlMap({ '/api': api }), { port: 0, logLevel: 'silent', lifespan: 'auto' } as never);
  await server.listen();
  url = String(server.url).replace(/\/$/, '');
});
afterAll(async () => {
  await server.close();
});

it('routes HTTP by prefix and answers 404 elsewhere', async () => {
  const hit = await fetch(`${url}/api/a?q=1`);
  expect(await hit.text()).toBe('api /api /api/a');
  const miss = await fetch(`${url}/apix`);
  expect(miss.status).toBe(404);
  expect(await miss.text()).toBe('Not Found');
});

it('SSE without a match is declined with a 404', async () => {
  const res = await fetch(`${url}/nowhere`, { headers: { accept: 'text/event-stream' } });
  expect(res.status).toBe(404);
  await res.arrayBuffer();
});

it('WebSocket: a match is accepted, no match is denied with a 404 (denial extension)', async () => {
  const wsUrl = url.replace(/^http/, 'ws');
  const ok = new WebSocket(`${wsUrl}/api/chat`);
  const text = await new Promise<string>((resolve, reject) => {
    ok.on('message', (data) => resolve(String(data)));
    ok.on('error', reject);
  });
  expect(text).toBe('ws /api');
  const refused = new WebSocket(`${wsUrl}/other`);
  const status = await new Promise<number>((resolve) => {
    refused.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      refused.terminate();
    });
    refused.on('error', () => {});
  });
  expect(status).toBe(404);
});
