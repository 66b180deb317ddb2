#!/usr/bin/env node
/**
 * Memory per idle long-lived connection: 10,000 idle WebSocket connections to bare `ws` and to
 * @pagi/server, and 10,000 idle SSE streams to a bare node:http SSE server and to @pagi/server.
 *
 * Each server runs alone in a child process pinned to core 0 (started with --expose-gc); this
 * process opens raw loopback sockets from core 1, spread over 127.0.0.1–127.0.0.8 so ephemeral
 * ports never run out. For each server: warm up, collect garbage, read RSS; open the
 * connections (each one checked: a 101, or a 200 text/event-stream); wait until the server
 * itself counts them all; collect garbage, read RSS again. The difference divided by the count
 * is the cost of one idle connection. Everything is torn down after each server, and the whole
 * run stops itself after --deadline seconds.
 *
 *   node ws-conn-scale.mjs [--connections 10000] [--rounds 3] [--deadline 1800] [--v8 "--max-semi-space-size=1"]
 *
 * Prerequisite: built packages (`npx tsup` in packages/spec and packages/server).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const SELF = fileURLToPath(import.meta.url);
// Extra V8 flags for the server processes (the same for all four), e.g. --v8 "--max-semi-space-size=1".
const V8_FLAGS = process.argv.includes('--v8')
  ? process.argv[process.argv.indexOf('--v8') + 1].split(' ')
  : [];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

// --- servers (child processes) ------------------------------------------------------------------

async function serve(kind) {
  let open = 0;
  let port;
  if (kind === 'ws') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 2048 });
    wss.on('connection', (ws) => {
      open++;
      ws.on('close', () => open--);
    });
    await once(wss, 'listening');
    port = wss.address().port;
  } else if (kind === 'node-sse') {
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.flushHeaders();
      open++;
      res.on('close', () => open--);
    });
    server.listen({ host: '127.0.0.1', port: 0, backlog: 2048 });
    await once(server, 'listening');
    port = server.address().port;
  } else {
    const { createServer } = await import('@pagi/server');
    const app = async (scope, receive, send) => {
      await receive();
      if (scope.type === 'websocket') await send({ type: 'websocket.accept' });
      else if (scope.type === 'sse') await send({ type: 'sse.start' });
      else throw new Error(`unexpected scope ${scope.type}`);
      open++;
      try {
        for (;;) {
          const event = await receive();
          if (event.type === 'websocket.disconnect' || event.type === 'sse.disconnect') return;
        }
      } finally {
        open--;
      }
    };
    const server = createServer(app, {
      host: '127.0.0.1',
      port: 0,
      lifespan: 'off',
      logLevel: 'warn',
      maxConnections: 0,
      // every connection comes from 127.0.0.1–8: the per-address limit would refuse most of them
      maxConnectionsPerAddress: 0,
      backlog: 2048,
    });
    await server.listen();
    port = server.port;
  }
  process.on('message', () => {
    // Two passes: the first can leave weak/finalizable objects for the second.
    globalThis.gc();
    globalThis.gc();
    const { rss, heapUsed, external } = process.memoryUsage();
    process.send({ open, rss, heapUsed, external });
  });
  process.stdout.write(`${port}\n`);
}

// --- clients (this process) ---------------------------------------------------------------------

const KINDS = {
  ws: { protocol: 'ws', label: 'ws' },
  'pagi-ws': { protocol: 'ws', label: 'pagi-ws', serve: 'pagi' },
  'node-sse': { protocol: 'sse', label: 'node-sse' },
  'pagi-sse': { protocol: 'sse', label: 'pagi-sse', serve: 'pagi' },
};

function request(protocol) {
  return protocol === 'ws'
    ? 'GET /idle HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    : 'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n';
}

/** Opens one connection and resolves once the server's answer proves it is a live WS/SSE stream. */
function openOne(port, protocol, index) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${(index % 8) + 1}` });
    let head = '';
    const onData = (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const ok =
        protocol === 'ws'
          ? head.startsWith('HTTP/1.1 101')
          : head.startsWith('HTTP/1.1 200') && /content-type: text\/event-stream/i.test(head);
      if (!ok)
        reject(new Error(`connection ${index}: unexpected answer ${JSON.stringify(head.split('\r\n')[0])}`));
      else resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(request(protocol));
  });
}

async function openMany(port, protocol, count) {
  const sockets = [];
  const batch = 200;
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    sockets.push(...(await Promise.all(Array.from({ length: n }, (_, j) => openOne(port, protocol, i + j)))));
  }
  for (const socket of sockets) socket.on('error', () => {});
  return sockets;
}

async function closeAll(sockets) {
  await Promise.all(
    sockets.map((socket) => {
      if (socket.destroyed) return undefined;
      const closed = once(socket, 'close');
      socket.destroy();
      return closed;
    }),
  );
}

function measure(child) {
  child.send('measure');
  return once(child, 'message').then(([m]) => m);
}

async function waitForOpen(child, count) {
  for (let tries = 0; tries < 200; tries++) {
    const m = await measure(child);
    if (m.open === count) return m;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server never counted ${count} open connections`);
}

async function run(kindName, count) {
  const kind = KINDS[kindName];
  const child = spawn(
    'taskset',
    ['-c', '0', process.execPath, '--expose-gc', ...V8_FLAGS, SELF, '--serve', kind.serve ?? kindName],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  try {
    const [chunk] = await once(child.stdout, 'data');
    const port = Number(String(chunk).trim());
    // Warm up every code path, so the baseline already holds the code and the caches.
    await closeAll(await openMany(port, kind.protocol, 200));
    await waitForOpen(child, 0);
    const before = await measure(child);
    const sockets = await openMany(port, kind.protocol, count);
    const after = await waitForOpen(child, count);
    await closeAll(sockets);
    return {
      rss: (after.rss - before.rss) / count,
      heap: (after.heapUsed - before.heapUsed) / count,
      external: (after.external - before.external) / count,
    };
  } finally {
    child.kill();
  }
}

function raiseFileLimit(needed) {
  if (process.env.PAGI_BENCH_ULIMIT === '1') return;
  const soft = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  if (Number.isFinite(soft) && soft >= needed) return;
  const hard = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  console.log(`raising the open-file limit from ${soft} to ${hard} and restarting`);
  const result = spawnSync(
    'sh',
    ['-c', `ulimit -n ${hard} && exec "$0" "$@"`, process.execPath, SELF, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, PAGI_BENCH_ULIMIT: '1' } },
  );
  process.exit(result.status ?? 1);
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(2)} KiB`;
}

async function main() {
  const count = arg('connections', 10_000);
  const deadline = arg('deadline', 1800);
  raiseFileLimit(count + 1000);
  const timer = setTimeout(() => {
    console.error(`stopped: over the ${deadline}s deadline`);
    process.exit(1);
  }, deadline * 1000);
  timer.unref();
  try {
    execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
  } catch {
    console.warn('taskset failed: the client is not pinned');
  }
  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'}, ${os.platform()} ${os.release()}; ` +
      `${count.toLocaleString('en-US')} idle connections per server`,
  );
  // RSS after a burst of connections depends on how far V8 happened to grow its young generation,
  // so one sample per server moves by ±15 %. Each server is measured `--rounds` times (servers
  // interleaved) and the median of each figure is used for the ratios.
  const rounds = arg('rounds', 3);
  const samples = Object.fromEntries(Object.keys(KINDS).map((name) => [name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const name of Object.keys(KINDS)) {
      const r = await run(name, count);
      samples[name].push(r);
      console.log(
        `round ${round} ${name.padEnd(9)} rss/conn ${kib(r.rss).padStart(10)}  heap/conn ${kib(r.heap).padStart(10)}  external/conn ${kib(r.external).padStart(9)}`,
      );
    }
  }
  const results = {};
  for (const [name, list] of Object.entries(samples)) {
    results[name] = {
      rss: median(list.map((r) => r.rss)),
      heap: median(list.map((r) => r.heap)),
      external: median(list.map((r) => r.external)),
    };
    const r = results[name];
    console.log(
      `median ${name.padEnd(9)} rss/conn ${kib(r.rss).padStart(10)}  heap/conn ${kib(r.heap).padStart(10)}  external/conn ${kib(r.external).padStart(9)}`,
    );
  }
  console.log(`ratio pagi-ws-mem/ws-mem ${(results['pagi-ws'].rss / results.ws.rss).toFixed(3)}`);
  console.log(
    `ratio pagi-sse-mem/node-sse-mem ${(results['pagi-sse'].rss / results['node-sse'].rss).toFixed(3)}`,
  );
  console.log(`ratio pagi-ws-heap/ws-heap ${(results['pagi-ws'].heap / results.ws.heap).toFixed(3)}`);
  console.log(
    `ratio pagi-sse-heap/node-sse-heap ${(results['pagi-sse'].heap / results['node-sse'].heap).toFixed(3)}`,
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex !== -1) await serve(process.argv[serveIndex + 1]);
else await main();
