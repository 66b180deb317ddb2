/** Over a real socket: undici (fetch) for HTTP and SSE, `ws` for WebSocket. */
import type { App, Receive } from '@pagi/spec';
import { createServer, type PagiServer } from '@pagi/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cascade } from '../src/index.js';

async function readAll(receive: Receive): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const event = await receive();
    if (event.type !== 'http.request') break;
    parts.push(Buffer.from(event.body));
    if (!event.more) break;
  }
  return Buffer.concat(parts);
}

/** Knows only /first; reads the body before refusing anything else. */
const first: App = async (scope, receive, send) => {
  if (scope.type === 'websocket') return send({ type: 'websocket.close' });
  if (scope.type !== 'http') return;
  const body = await readAll(receive);
  const status = scope.path === '/first' ? 200 : 404;
  await send({ type: 'http.response.start', status, headers: [] });
  await send({ type: 'http.response.body', body: `first ${body.byteLength}` });
};

const second: App = async (scope, receive, send) => {
  if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
    await send({ type: 'websocket.send', text: 'second' });
    return send({ type: 'websocket.close' });
  }
  if (scope.type !== 'http') return;
  if (scope.path === '/big') {
    await send({ type: 'http.response.start', status: 200, headers: [] });
    const chunk = new Uint8Array(64 * 1024).fill(97);
    for (let i = 0; i < 64; i++) await send({ type: 'http.response.body', body: chunk, more: true });
    return send({ type: 'http.response.body', body: 'end' });
  }
  const body = await readAll(receive);
  await send({ type: 'http.response.start', status: 200, headers: [] });
  await send({
    type: 'http.response.body',
    body: `second ${body.toString('hex').slice(0, 8)} ${body.byteLength}`,
  });
};

let server: PagiServer;
let url: string;
beforeAll(async () => {
  const app = cascade([first, second], { bodyLimit: 100_000 });
  server = createServer(app, { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
  await server.listen();
  url = String(server.url).replace(/\/$/, '');
});
afterAll(async () => {
  await server.close();
});

it('the second app gets the whole request body the first one read', async () => {
  const body = new Uint8Array(50_000).fill(0xab);
  const res = await fetch(`${url}/other`, { method: 'POST', body });
  expect(await res.text()).toBe('second abababab 50000');
  expect(await (await fetch(`${url}/first`, { method: 'POST', body })).text()).toBe('first 50000');
});

it('a body past bodyLimit stops at the first app: its 404 goes out', async () => {
  const res = await fetch(`${url}/other`, { method: 'POST', body: new Uint8Array(200_000) });
  expect(res.status).toBe(404);
  expect(await res.text()).toBe('first 200000');
});

it('a 4 MiB streamed answer arrives intact', async () => {
  const res = await fetch(`${url}/big`);
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(bytes.byteLength).toBe(64 * 64 * 1024 + 3);
  expect(bytes.subarray(-3).toString()).toBe('end');
});

it('a WebSocket closed before accept by the first app is accepted by the second', async () => {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/chat`);
  const text = await new Promise<string>((resolve, reject) => {
    ws.on('message', (data) => resolve(String(data)));
    ws.on('error', reject);
  });
  expect(text).toBe('second');
});
