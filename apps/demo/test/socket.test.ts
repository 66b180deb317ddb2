/**
 * The demo on a real socket (`createServer(app, { port: 0 })`) with Node clients: undici for
 * HTTP and SSE, `ws` for WebSocket. Runs everywhere, Chromium or not.
 */
import { createServer, type PagiServer } from '@pagi/server';
import { fetch } from 'undici';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.mjs';

let server: PagiServer;

beforeAll(async () => {
  server = createServer(createApp({ tickInterval: 50 }), {
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    shutdownTimeout: 2000,
  });
  await server.listen();
});

afterAll(() => server.close());

/** Opens a WebSocket and resolves with it and its first (welcome) message. */
function connect(path: string): Promise<{ ws: WebSocket; next: () => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(server.url.replace(/^http/, 'ws') + path);
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(m: Record<string, unknown>) => void> = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    const w = waiting.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  const next = () =>
    queue.length > 0
      ? Promise.resolve(queue.shift()!)
      : new Promise<Record<string, unknown>>((r) => waiting.push(r));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next }));
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('over a socket', () => {
  it('serves the HTTP routes', async () => {
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', online: 0 });
    const hello = await fetch(`${server.url}/hello/World`);
    expect(await hello.text()).toBe('Hello, World!\n');
    expect(hello.headers.get('x-content-type-options')).toBe('nosniff');
    const missing = await fetch(`${server.url}/missing`);
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('broadcasts between two WebSocket clients', async () => {
    const ada = await connect('/ws/chat?name=Ada');
    expect(await ada.next()).toMatchObject({ type: 'welcome', name: 'Ada' });
    const bob = await connect('/ws/chat?name=Bob');
    expect(await bob.next()).toMatchObject({ type: 'welcome', name: 'Bob', online: 2 });
    ada.ws.send('over the wire');
    expect(await bob.next()).toMatchObject({ type: 'message', from: 'Ada', text: 'over the wire' });
    expect(await ada.next()).toMatchObject({ type: 'message', from: 'Ada', text: 'over the wire' });
    const codes = Promise.all([closed(ada.ws), closed(bob.ws)]);
    ada.ws.close(1000);
    bob.ws.close(1000);
    expect(await codes).toEqual([1000, 1000]);
  });

  it('refuses an unknown WebSocket path with HTTP 404', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws/nope`);
    // terminate() on a handshake that never opened reports 'error' on the client: expected here.
    ws.on('error', () => {});
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        ws.terminate();
      });
    });
    expect(status).toBe(404);
  });

  it('streams clock ticks over SSE', async () => {
    const abort = new AbortController();
    const res = await fetch(`${server.url}/events`, {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) {
      text += decoder.decode(chunk, { stream: true });
      if ((text.match(/^event: tick$/gm) ?? []).length >= 2) break;
    }
    abort.abort();
    expect(text).toMatch(/^event: tick\ndata: \d{4}-\d\d-\d\dT[\d:.]+Z\n\n/);
  });
});
