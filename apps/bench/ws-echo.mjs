#!/usr/bin/env node
/**
 * WebSocket echo throughput: @pagi/server (built dist) against bare `ws`, same run.
 *
 * Each server runs in its own child process pinned to core 0 (`taskset -c 0`); this process,
 * the load generator, pins itself to core 1. 50 clients each keep one 32-byte text message in
 * flight (send, wait for the echo, send again). The clients are raw sockets writing a
 * pre-masked frame and counting echoed bytes, so the generator stays much cheaper than the
 * servers. Rounds alternate between the servers so drift (other load on the machine) hits both
 * alike. Every server is first checked for a correct echo with a real `ws` client. Besides
 * msgs/s (wall clock) the script reports msgs per server CPU-second, read from the child's
 * `process.cpuUsage()`, which is far less sensitive to a busy machine.
 *
 *   node ws-echo.mjs [--rounds 5] [--seconds 5] [--clients 50] [--size 32]
 *
 * Prerequisite: built packages (`npx tsup` in packages/spec and packages/server).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { rawWsClient, wsClientFrame } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

// --- server side (child process) ----------------------------------------------------------------

async function serve(kind) {
  if (kind === 'ws') {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: false,
      maxPayload: 16 << 20,
    });
    wss.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    await once(wss, 'listening');
    reportCpu();
    process.stdout.write(`${wss.address().port}\n`);
    return;
  }
  const { createServer } = await import('@pagi/server');
  const app = async (scope, receive, send) => {
    if (scope.type !== 'websocket') throw new Error(`unsupported scope ${scope.type}`);
    await receive();
    await send({ type: 'websocket.accept' });
    for (;;) {
      const event = await receive();
      if (event.type !== 'websocket.receive') return;
      await send(
        event.text !== undefined
          ? { type: 'websocket.send', text: event.text }
          : { type: 'websocket.send', bytes: event.bytes },
      );
    }
  };
  const server = createServer(app, {
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

/** Answers the parent's 'cpu' requests with this process's CPU time in microseconds. */
function reportCpu() {
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send(user + system);
  });
}

// --- load side (this process) -------------------------------------------------------------------

async function startServer(kind) {
  const child = spawn('taskset', ['-c', '0', process.execPath, SELF, '--serve', kind], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [chunk] = await once(child.stdout, 'data');
  return { child, port: Number(String(chunk).trim()) };
}

async function checkEcho(port, label) {
  const client = new WebSocket(`ws://127.0.0.1:${port}/`);
  await once(client, 'open');
  const cases = [
    ['text', 'héllo ✓'],
    ['binary', Buffer.from([0, 1, 2, 255])],
  ];
  for (const [kind, payload] of cases) {
    client.send(payload);
    const [data, isBinary] = await once(client, 'message');
    const ok = kind === 'text' ? !isBinary && data.toString() === payload : isBinary && data.equals(payload);
    if (!ok) throw new Error(`${label}: ${kind} echo was wrong (${String(data)})`);
  }
  client.close();
  await once(client, 'close');
}

/** The server's CPU time so far (µs), over IPC. */
async function cpuOf(child) {
  child.send('cpu');
  const [micros] = await once(child, 'message');
  return micros;
}

async function round(server, { clients, seconds, size }) {
  const frame = wsClientFrame(size);
  const echoBytes = 2 + size; // unmasked server frame
  const sockets = await Promise.all(Array.from({ length: clients }, () => rawWsClient(server.port)));
  let count = 0;
  let running = true;
  for (const socket of sockets) {
    let pending = 0;
    socket.on('data', (chunk) => {
      pending += chunk.length;
      while (pending >= echoBytes) {
        pending -= echoBytes;
        count++;
        if (running) socket.write(frame);
      }
    });
    socket.write(frame);
  }
  // One warm-up second, then the measured window.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const start = count;
  const cpu0 = await cpuOf(server.child);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const done = count - start;
  const cpu = (await cpuOf(server.child)) - cpu0;
  const elapsed = (performance.now() - t0) / 1000;
  running = false;
  for (const socket of sockets) socket.destroy();
  return { rate: done / elapsed, perCpuSecond: done / (cpu / 1e6) };
}

function fmt(value) {
  return Math.round(value).toLocaleString('en-US');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const options = { clients: arg('clients', 50), seconds: arg('seconds', 5), size: arg('size', 32) };
  const rounds = arg('rounds', 5);
  try {
    execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
  } catch {
    console.warn('taskset failed: the load generator is not pinned');
  }
  const servers = {
    ws: await startServer('ws'),
    'ws-deferred': await startServer('ws-deferred'),
    'pagi-ws': await startServer('pagi'),
  };
  try {
    for (const [name, { port }] of Object.entries(servers)) await checkEcho(port, name);
    console.log(`correctness: every server echoes text and binary exactly`);
    console.log(
      `node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'}, ${os.platform()} ${os.release()}; ` +
        `${options.clients} clients, ${options.size}-byte messages, ${rounds} rounds of ${options.seconds}s`,
    );
    const names = Object.keys(servers);
    const results = Object.fromEntries(names.map((name) => [name, []]));
    for (let r = 1; r <= rounds; r++) {
      // Rotate which server goes first in each round.
      const order = names.map((_, i) => names[(i + r) % names.length]);
      for (const name of order) {
        const result = await round(servers[name], options);
        results[name].push(result);
        console.log(
          `round ${r} ${name.padEnd(11)} ${fmt(result.rate)} msgs/s  ${fmt(result.perCpuSecond)} msgs/server-CPU-s`,
        );
      }
    }
    const rate = (name) => median(results[name].map((r) => r.rate));
    const perCpu = (name) => median(results[name].map((r) => r.perCpuSecond));
    for (const name of names) {
      console.log(
        `median ${name.padEnd(11)} ${fmt(rate(name))} msgs/s  ${fmt(perCpu(name))} msgs/server-CPU-s`,
      );
    }
    console.log(`ratio pagi-ws/ws ${(rate('pagi-ws') / rate('ws')).toFixed(3)}`);
    console.log(`ratio pagi-ws/ws (per server CPU-second) ${(perCpu('pagi-ws') / perCpu('ws')).toFixed(3)}`);
    console.log(
      `ratio pagi-ws/ws-deferred (per server CPU-second) ${(perCpu('pagi-ws') / perCpu('ws-deferred')).toFixed(3)}`,
    );
  } finally {
    for (const { child } of Object.values(servers)) child.kill();
  }
}

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex !== -1) await serve(process.argv[serveIndex + 1]);
else await main();
