/** The proxy example: its demo backend reached through @pagi/test, and WebSocket over a real socket. */
import { once } from 'node:events';
import { createServer } from '@pagi/server';
import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import app from '../proxy.mjs';

it('HTTP and SSE reach the demo backend through the proxy', async () => {
  const client = new TestClient(app);
  const res = await client.get('/hi');
  expect(res.status).toBe(200);
  expect(res.text).toMatch(/^hello from the backend, you asked for \/hi via /);
  const sse = await client.sse('/events');
  expect(sse.status).toBe(200);
  expect(await sse.next()).toEqual({ event: 'tick', id: '1', data: 'tick 1' });
  expect(await sse.next()).toEqual({ event: 'tick', id: '2', data: 'tick 2' });
});

it('a WebSocket echo through the proxy, over a real socket', async () => {
  const server = createServer(app, { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
  await server.listen();
  try {
    const ws = new WebSocket(`${String(server.url).replace(/^http/, 'ws').replace(/\/$/, '')}/ws`);
    await once(ws, 'open');
    ws.send('ping');
    const [data] = await once(ws, 'message');
    expect(String(data)).toBe('ping');
    ws.close();
    await once(ws, 'close');
  } finally {
    await server.close();
  }
});
