#!/usr/bin/env node
/**
 * WebSocket broadcast fan-out: 1,000 subscribers on one channel, messages delivered per second,
 * `@pagi/app-ws-broadcast` (memory and Redis backends) against a bare `ws` broadcast loop
 * (`for (const c of wss.clients) c.send(data)`), same script, same clients.
 *
 * Each server runs in its own child process pinned to core 0; this process (the clients) pins
 * itself to core 1. 1,000 raw WebSocket clients connect; one of them also publishes 32-byte text
 * messages, keeping a window of 16 messages in flight (it sends the next once all but 16 × 1,000
 * deliveries arrived), so no queue ever overflows and nothing is dropped (the pagi subscribers'
 * queues hold 100). Every server delivers to every client, the sender included (`echoSelf: true`,
 * as the bare loop does). Before timing, each server is checked: a message reaches all 1,000.
 * Reported: deliveries/s (wall clock) and deliveries per server CPU-second (the child's
 * `process.cpuUsage()`; far less sensitive to a busy machine; for Redis it leaves out
 * redis-server's own CPU), and `ratio pagi-broadcast/ws-broadcast` of both.
 *
 *   node ws-broadcast.mjs [--rounds 3] [--seconds 5] [--subscribers 1000] [--window 16] [--no-redis]
 *   # REDIS_URL=redis://… uses that Redis; else a private redis-server (the redis row is skipped without one)
 *
 * Prerequisite: built packages (`npx tsup` in packages/spec, server, channels, app-ws-broadcast).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { median, rawWsClient, wsClientFrame } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const SIZE = 32;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

// --- server side (child process) ----------------------------------------------------------------

async function serve(kind) {
  if (kind === 'ws') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    wss.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => {
        for (const client of wss.clients) client.send(data, { binary: isBinary });
      });
    });
    await once(wss, 'listening');
    reportCpu();
    process.stdout.write(`${wss.address().port}\n`);
    return;
  }
  const { createServer } = await import('@pagi/server');
  const { createChannelLayer, redisBackend } = await import('@pagi/channels');
  const { wsBroadcast } = await import('@pagi/app-ws-broadcast');
  const layer = createChannelLayer({
    backend:
      kind === 'pagi-redis'
        ? redisBackend({ url: process.env.BENCH_REDIS_URL, prefix: `bench-bc-${process.pid}:` })
        : undefined,
  });
  const server = createServer(wsBroadcast({ layer, echoSelf: true }), {
    host: '127.0.0.1',
    port: 0,
    lifespan: 'off',
    logLevel: 'warn',
    maxConnections: 0,
    maxConnectionsPerAddress: 0,
  });
  await server.listen();
  reportCpu();
  process.stdout.write(`${server.port}\n`);
}

/**
 * Answers the parent's 'cpu' requests with this process's CPU time (µs), its event loop's busy
 * time (ms) and the time it spent runnable but waiting for a core (ns, /proc/self/schedstat; 0
 * where there is none). A loop busy ~100 % of the wall clock while the CPU share is low means the
 * process was starved of the (shared) core, not idle waiting for I/O.
 */
function reportCpu() {
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    let runWait = 0;
    try {
      runWait = Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
    } catch {}
    process.send({ cpu: user + system, loopBusy: performance.eventLoopUtilization().active, runWait });
  });
}

// --- load side (this process) -------------------------------------------------------------------

async function startServer(kind, env = {}) {
  const child = spawn('taskset', ['-c', '0', process.execPath, SELF, '--serve', kind], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const [chunk] = await once(child.stdout, 'data');
  return { child, port: Number(String(chunk).trim()) };
}

async function cpuOf(child) {
  child.send('cpu');
  const [sample] = await once(child, 'message');
  return sample;
}

/** Connects the subscribers; `count()` is the deliveries so far (unmasked 2-byte-header frames). */
async function connectAll(port, subscribers) {
  const sockets = [];
  // In batches: 1,000 handshakes at once would only measure the accept queue.
  for (let i = 0; i < subscribers; i += 100) {
    const batch = Math.min(100, subscribers - i);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, () => rawWsClient(port)))));
  }
  const frameBytes = 2 + SIZE;
  let delivered = 0;
  const listeners = new Set();
  for (const socket of sockets) {
    let pending = 0;
    socket.on('data', (chunk) => {
      pending += chunk.length;
      const frames = Math.floor(pending / frameBytes);
      pending -= frames * frameBytes;
      delivered += frames;
      for (const listener of listeners) listener();
    });
  }
  return {
    sockets,
    count: () => delivered,
    onData: (f) => listeners.add(f),
    offData: (f) => listeners.delete(f),
  };
}

/** One message must reach every subscriber (the publisher included) before a figure counts. */
async function check(clients, subscribers, label) {
  const before = clients.count();
  clients.sockets[0].write(wsClientFrame(SIZE));
  const deadline = Date.now() + 30_000;
  while (clients.count() - before < subscribers) {
    if (Date.now() > deadline)
      throw new Error(`${label}: ${clients.count() - before}/${subscribers} got the check message`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function round(server, clients, { subscribers, seconds, window }) {
  const frame = wsClientFrame(SIZE);
  const publisher = clients.sockets[0];
  const base = clients.count();
  let sent = 0;
  let running = true;
  const pump = () => {
    while (running && sent < Math.floor((clients.count() - base) / subscribers) + window) {
      publisher.write(frame);
      sent++;
    }
  };
  clients.onData(pump);
  pump();
  await new Promise((resolve) => setTimeout(resolve, 1000)); // warm-up
  const start = clients.count();
  const cpu0 = await cpuOf(server.child);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const done = clients.count() - start;
  const own = process.cpuUsage(own0);
  const cpu1 = await cpuOf(server.child);
  const cpu = cpu1.cpu - cpu0.cpu;
  const elapsed = (performance.now() - t0) / 1000;
  running = false;
  clients.offData(pump);
  // Let the window drain so the next round starts from a quiet server.
  const target = base + sent * subscribers;
  const deadline = Date.now() + 30_000;
  while (clients.count() < target && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  if (clients.count() < target) throw new Error(`lost ${target - clients.count()} deliveries`);
  return {
    rate: done / elapsed,
    perCpuSecond: done / (cpu / 1e6),
    serverBusy: cpu / 1e6 / elapsed,
    serverLoop: (cpu1.loopBusy - cpu0.loopBusy) / 1000 / elapsed,
    serverWait: (cpu1.runWait - cpu0.runWait) / 1e9 / elapsed,
    clientBusy: (own.user + own.system) / 1e6 / elapsed,
  };
}

async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop() {} };
  const bin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (!bin) return undefined;
  const probe = createNetServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  while (!out.includes('Ready to accept connections')) await new Promise((r) => setTimeout(r, 20));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

const fmt = (value) => Math.round(value).toLocaleString('en-US');
const pct = (share) => `${Math.round(share * 100)} %`;

async function main() {
  const options = {
    subscribers: arg('subscribers', 1000),
    seconds: arg('seconds', 5),
    window: arg('window', 16),
  };
  const rounds = arg('rounds', 3);
  try {
    execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
  } catch {
    console.warn('taskset failed: the load generator is not pinned');
  }
  const redis = process.argv.includes('--no-redis') ? undefined : await startRedis();
  const servers = {
    'ws-broadcast': await startServer('ws'),
    'pagi-memory': await startServer('pagi-memory'),
    ...(redis ? { 'pagi-redis': await startServer('pagi-redis', { BENCH_REDIS_URL: redis.url }) } : {}),
  };
  if (!redis) console.log('pagi-redis: skipped (--no-redis, or no redis-server and no REDIS_URL)');
  const clients = {};
  try {
    for (const [name, { port }] of Object.entries(servers)) {
      clients[name] = await connectAll(port, options.subscribers);
      await check(clients[name], options.subscribers, name);
    }
    console.log(`correctness: on every server one message reaches all ${options.subscribers} subscribers`);
    console.log(
      `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'}, load ${os.loadavg()[0].toFixed(2)}; ` +
        `${options.subscribers} subscribers, ${SIZE}-byte messages, window ${options.window}, ${rounds} rounds of ${options.seconds}s`,
    );
    const names = Object.keys(servers);
    const results = Object.fromEntries(names.map((name) => [name, []]));
    for (let r = 1; r <= rounds; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]);
      for (const name of order) {
        const result = await round(servers[name], clients[name], options);
        results[name].push(result);
        console.log(
          `round ${r} ${name.padEnd(12)} ${fmt(result.rate)} deliveries/s  ${fmt(result.perCpuSecond)} deliveries/server-CPU-s  ` +
            `(server CPU ${pct(result.serverBusy)}, loop busy ${pct(result.serverLoop)}, waiting for a core ${pct(result.serverWait)}; ` +
            `clients CPU ${pct(result.clientBusy)})`,
        );
      }
    }
    const rate = (name) => median(results[name].map((r) => r.rate));
    const perCpu = (name) => median(results[name].map((r) => r.perCpuSecond));
    for (const name of names) {
      console.log(
        `median ${name.padEnd(12)} ${fmt(rate(name))} deliveries/s  ${fmt(perCpu(name))} deliveries/server-CPU-s`,
      );
    }
    for (const name of names.filter((n) => n !== 'ws-broadcast')) {
      const backend = name.slice('pagi-'.length);
      console.log(
        `ratio pagi-broadcast/ws-broadcast ${(rate(name) / rate('ws-broadcast')).toFixed(2)} (${backend}, wall clock), ` +
          `${(perCpu(name) / perCpu('ws-broadcast')).toFixed(2)} (${backend}, per server CPU-second)`,
      );
    }
  } finally {
    for (const c of Object.values(clients)) for (const socket of c.sockets) socket.destroy();
    for (const { child } of Object.values(servers)) child.kill();
    redis?.stop();
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await main();
