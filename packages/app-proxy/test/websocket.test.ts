/** WebSocket through the proxy over real sockets: ws client → @pagi/server(proxy) → ws backend. */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ProxyApp, proxy } from '../src/index.js';
import { type Backend, nextBackendClose, startBackend } from './backend.js';
import { serve } from './serve.js';

let backend: Backend;
let app: ProxyApp;
let front: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  backend = await startBackend();
  app = proxy({ target: backend.url, onError: () => {} });
  front = await serve(app);
});
afterAll(async () => {
  await front.close();
  await app.close();
  await backend.close();
});

const wsUrl = (path: string) => `${front.url.replace('http', 'ws')}${path}`;

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    ws.once('message', (data: Buffer, isBinary) => resolve({ data, isBinary })),
  );
}
function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe('WebSocket through the proxy', () => {
  it('relays text and binary frames both ways, as they are, and the chosen subprotocol', async () => {
    const ws = new WebSocket(wsUrl('/ws-echo'), ['chat.v1', 'chat.v2']);
    await once(ws, 'open');
    expect(ws.protocol).toBe('chat.v2');
    ws.send('hello');
    const text = await nextMessage(ws);
    expect(text).toEqual({ data: Buffer.from('hello'), isBinary: false });
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    ws.send(bytes);
    const binary = await nextMessage(ws);
    expect(binary.isBinary).toBe(true);
    expect(binary.data.equals(bytes)).toBe(true);
    ws.send('whoami');
    const who = JSON.parse((await nextMessage(ws)).data.toString());
    expect(who).toEqual({ host: `127.0.0.1:${backend.port}`, xff: '127.0.0.1' });
    const gone = nextBackendClose();
    const done = closed(ws);
    ws.close(4002, 'client says bye');
    expect(await gone).toEqual({ code: 4002, reason: 'client says bye' });
    expect((await done).code).toBe(4002);
  });

  it("passes the backend's close code and reason to the client", async () => {
    const ws = new WebSocket(wsUrl('/ws-echo'));
    await once(ws, 'open');
    const done = closed(ws);
    ws.send('close-4001');
    expect(await done).toEqual({ code: 4001, reason: 'bye from backend' });
  });

  it('a backend that drops without a closing handshake closes the client with 1014 (bad gateway)', async () => {
    const ws = new WebSocket(wsUrl('/ws-echo'));
    await once(ws, 'open');
    const done = closed(ws);
    ws.send('drop');
    expect((await done).code).toBe(1014);
  });

  it('relays 200 messages of 256 KiB in order under backpressure, both directions', async () => {
    const ws = new WebSocket(wsUrl('/ws-echo'));
    await once(ws, 'open');
    const count = 200;
    const received: number[] = [];
    const all = new Promise<void>((resolve) => {
      ws.on('message', (data: Buffer) => {
        received.push(data.readUInt32BE(0));
        expect(data.length).toBe(256 * 1024);
        if (received.length === count) resolve();
      });
    });
    for (let i = 0; i < count; i++) {
      const b = Buffer.alloc(256 * 1024, i & 0xff);
      b.writeUInt32BE(i, 0);
      ws.send(b);
    }
    await all;
    expect(received).toEqual(Array.from({ length: count }, (_, i) => i));
    ws.close();
    await closed(ws);
  }, 60_000);

  it("a backend refusing the upgrade: the client is refused too, with the backend's status", async () => {
    const ws = new WebSocket(wsUrl('/ws-refuse'));
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
  });

  it('a backend that is down: the handshake is refused with 502', async () => {
    const dead = proxy({ target: 'http://127.0.0.1:1', onError: () => {} });
    const s = await serve(dead);
    try {
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/ws-echo`);
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
      expect(status).toBe(502);
    } finally {
      await s.close();
      await dead.close();
    }
  });
});
