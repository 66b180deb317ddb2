import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServer, type PagiServer } from '../../src/index.js';
import { fixtureApp } from './harness.js';

// --expose-gc for this worker only, without changing how vitest starts.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: PagiServer;
let port: number;
beforeAll(async () => {
  const app = (await import(fixtureApp)).default;
  server = createServer(app, { port: 0, logLevel: 'silent' });
  await server.listen();
  port = server.port;
});
afterAll(async () => server.close());

/** Raw socket: write `request`, resolve once `until` appears in the reply, then abort. */
function cycle(request: string, until: string, abort: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (abort && data.includes(until)) socket.destroy();
    });
    socket.once('error', reject);
    socket.once('close', () =>
      data.includes(until) ? resolve() : reject(new Error(`no '${until}' in: ${data}`)),
    );
  });
}

const httpCycle = () => cycle('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', 'hello', false);
const sseCycle = () =>
  cycle('GET /events HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n', 'data: hello', true);
const wsCycle = () =>
  new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    ws.once('open', () => ws.terminate());
    ws.once('error', reject);
    ws.once('close', () => resolve());
  });

async function run(times: number, one: () => Promise<void>, parallel = 10): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < times) {
        next += 1;
        await one();
      }
    }),
  );
}

/** Waits (on socket close events, via the count) until the server holds no connection. */
async function settled(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (server.connectionCount > 0) {
    if (Date.now() > deadline) throw new Error(`still ${server.connectionCount} connections`);
    await new Promise((r) => setTimeout(r, 10));
  }
  // let close callbacks and cleared timers run
  await new Promise((r) => setImmediate(r));
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

function listeners(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of server.httpServer.eventNames())
    out[String(name)] = server.httpServer.listenerCount(name);
  return out;
}

describe('1000 open/close cycles leave nothing behind', () => {
  it('HTTP request, WebSocket abort and SSE abort cycles: no connection, socket, timer or listener left; heap flat', async () => {
    // warm-up: JIT, lazy module state, pools
    await run(50, httpCycle);
    await run(50, wsCycle);
    await run(50, sseCycle);
    await settled();
    gc();
    const baseHeap = process.memoryUsage().heapUsed;
    const baseResources = resources();
    const baseListeners = listeners();

    await run(1000, httpCycle);
    await run(1000, wsCycle);
    await run(1000, sseCycle);
    await settled();
    gc();
    gc();

    expect(server.connectionCount).toBe(0);
    const after = resources();
    for (const kind of ['TCPSocketWrap', 'TCPWRAP', 'Timeout', 'TTYWrap']) {
      expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(baseResources[kind] ?? 0);
    }
    expect(listeners()).toEqual(baseListeners);
    const growth = process.memoryUsage().heapUsed - baseHeap;
    process.stdout.write(`[leaks] heap growth after 3000 cycles: ${(growth / 1024 / 1024).toFixed(2)} MiB\n`);
    // Generous: a leak of one 2 KiB object per cycle would already be 6 MiB.
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  }, 60_000);
});
