// Channel fan-out micro-benchmark: 1,000 subscribers on one channel in one process, each a
// `for await` loop over its subscription; messages/s delivered (subscribers × messages / time).
//
//   (cd packages/spec && npx tsup) && (cd packages/channels && npx tsup) && node apps/bench/channels-fanout.mjs
//   # knobs: --subscribers 1000 --messages 2000 --rounds 5; REDIS_URL=redis://… to use a running
//   # Redis instead of a private redis-server started on a free port (skipped if there is none)
//
// Rows: `emitter` is the floor (a bare EventEmitter whose 1,000 listeners each push into an
// array: no queue bound, no async iteration), `memory` the in-memory backend, `redis` the Redis
// backend (one PUBLISH per message, received once by this process's subscriber connection,
// then fanned out locally). Before timing, every subscriber of every variant must have received
// every message exactly once, in order; a variant that does not aborts the run.
//
// Indicative only: one process, no isolation from other load on the machine.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';

const { createChannelLayer, memoryBackend, redisBackend } = await import(
  '../../packages/channels/dist/index.js'
);

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const SUBSCRIBERS = arg('subscribers', 1000);
const MESSAGES = arg('messages', 2000);
const ROUNDS = arg('rounds', 5);

/** The floor: synchronous fan-out into unbounded arrays, drained by one loop per listener. */
async function runEmitter() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const done = [];
  const counts = new Array(SUBSCRIBERS).fill(0);
  for (let s = 0; s < SUBSCRIBERS; s++) {
    const box = [];
    emitter.on('m', (m) => box.push(m));
    done.push(
      (async () => {
        let expected = 1;
        let read = 0;
        while (expected <= MESSAGES) {
          await null;
          for (; read < box.length; read++) {
            if (box[read].id !== expected++) throw new Error('emitter: out of order');
            counts[s]++;
          }
        }
      })(),
    );
  }
  const start = performance.now();
  for (let i = 1; i <= MESSAGES; i++) emitter.emit('m', { id: i, data: i });
  await Promise.all(done);
  return { ms: performance.now() - start, counts };
}

async function runLayer(makeBackend) {
  // bufferSize = MESSAGES: nothing is dropped, so the check below can demand every message.
  const layer = createChannelLayer({ backend: makeBackend(), bufferSize: MESSAGES });
  const counts = new Array(SUBSCRIBERS).fill(0);
  const subs = [];
  for (let s = 0; s < SUBSCRIBERS; s++) subs.push(await layer.subscribe('fanout'));
  const done = subs.map(async (sub, s) => {
    let expected = 1;
    for await (const event of sub) {
      if (event.id !== expected || event.data !== expected)
        throw new Error(`${layer.backend.kind}: got ${event.id}, expected ${expected}`);
      expected++;
      counts[s]++;
      if (expected > MESSAGES) break;
    }
  });
  const start = performance.now();
  const published = [];
  for (let i = 1; i <= MESSAGES; i++) published.push(layer.publish('fanout', i));
  await Promise.all(published);
  await Promise.all(done);
  const ms = performance.now() - start;
  for (const sub of subs) if (sub.dropped) throw new Error('dropped messages');
  await layer.close();
  return { ms, counts };
}

async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop() {} };
  const bin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (!bin) return undefined;
  const probe = createServer();
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

const redis = await startRedis();
let prefix = 0;
const variants = {
  emitter: runEmitter,
  memory: () => runLayer(() => memoryBackend()),
  ...(redis
    ? { redis: () => runLayer(() => redisBackend({ url: redis.url, prefix: `bench${++prefix}:` })) }
    : {}),
};
if (!redis) console.log('redis: skipped (no redis-server and no REDIS_URL)');

console.log(
  `node ${process.version}, ${os.cpus()[0]?.model}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}`,
);
console.log(`${SUBSCRIBERS} subscribers × ${MESSAGES} messages, ${ROUNDS} rounds (median)`);
const results = {};
for (const name of Object.keys(variants)) results[name] = [];
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, run] of Object.entries(variants)) {
    const { ms, counts } = await run();
    if (!counts.every((c) => c === MESSAGES)) throw new Error(`${name}: a subscriber missed messages`);
    if (round > 0) results[name].push((SUBSCRIBERS * MESSAGES) / (ms / 1000)); // round 0 warms up
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.emitter);
for (const [name, rates] of Object.entries(results)) {
  const m = median(rates);
  console.log(
    `${name.padEnd(8)} ${Math.round(m).toLocaleString('en-US').padStart(12)} deliveries/s  ratio/emitter ${(m / base).toFixed(2)}`,
  );
}
redis?.stop();
