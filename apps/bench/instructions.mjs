#!/usr/bin/env node
/**
 * User-space instructions per request / per message, counted by valgrind (callgrind), for the
 * HTTP hello world (bare node:http, the async floor, @pagi/server, @pagi/router, Fastify, srvx,
 * Hono; without and with 12 browser headers), "what users write" (GET /users/:id answering JSON
 * {id, name}: node:http by hand, Fastify, Hono, srvx, a raw PAGI app, @pagi/router + helpers),
 * the 64 KiB POST echo (`--only post`: post-echo.mjs's node:http and PAGI servers) and
 * the WebSocket echo (bare ws, ws answering one microtask late, @pagi/server).
 *
 * Why: on a shared 2-vCPU machine req/s and even CPU-seconds per request move by ±15 % between
 * rounds; instruction counts do not (two runs agree within ~1 %). They leave out the kernel
 * (the write syscall is about half of every server's CPU here), so the ratios below are what the
 * JavaScript and node's own code cost, not a throughput forecast.
 *
 * Method: each server runs under callgrind; a keep-alive client (raw sockets, 10 connections,
 * sequential requests) warms it up (JIT tiers settle), then the counters are zeroed, a first batch
 * is run and discarded, the counters zeroed again, and a second batch counted. Needs `valgrind`
 * (apt install valgrind) and built packages. Takes about a minute per server, two at a time.
 *
 *   node apps/bench/instructions.mjs [--warmup 10000] [--requests 5000] [--only http|users|post|ws]
 *     [--servers 'pagi,node-http'] (a subset, by the names printed)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countPerUnit } from './callgrind.mjs';
import { hasCommand } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

const server = (name, file, load) => ({ name, args: [join(here, `servers/${file}.mjs`)], load });
// Peers (Fastify, srvx, Hono) serve `/` and `/users/:id` from one file; `pagi-router` is the
// @pagi/router + @pagi/helpers app (its `/` is a raw hello app behind the router).
const PEERS = ['fastify', 'srvx', 'hono'];
const HTTP = [
  server('node-http', 'node-http', 'http'),
  server('async-floor', 'async-floor', 'http'),
  server('pagi', 'pagi', 'http'),
  ...PEERS.map((p) => server(p, p, 'http')),
  server('pagi-router', 'pagi-router', 'http'),
  server('node-http (12 headers)', 'node-http', 'http12'),
  server('async-floor (12 headers)', 'async-floor', 'http12'),
  server('pagi (12 headers)', 'pagi', 'http12'),
  ...PEERS.map((p) => server(`${p} (12 headers)`, p, 'http12')),
];
// "What users write": GET /users/:id answering JSON {id, name}.
const USERS = [
  server('node-http (users)', 'node-users', 'users'),
  ...PEERS.map((p) => server(`${p} (users)`, p, 'users')),
  server('pagi (users)', 'pagi-users', 'users'),
  server('pagi-router (users)', 'pagi-router', 'users'),
];
/** [server, baseline] pairs printed as `instructions-ratio` lines (baseline count / server count). */
const RATIOS = [
  ...['async-floor', 'pagi', ...PEERS, 'pagi-router'].map((s) => [s, 'node-http']),
  ['pagi-router', 'pagi'],
  ...['async-floor', 'pagi', ...PEERS].map((s) => [`${s} (12 headers)`, 'node-http (12 headers)']),
  ...[...PEERS, 'pagi', 'pagi-router'].map((s) => [`${s} (users)`, 'node-http (users)']),
  ['pagi-router (users)', 'pagi (users)'],
  ['pagi (post)', 'node-http (post)'],
  ['pagi-helpers (post)', 'node-http (post)'],
  ['pagi-ws', 'ws'],
  ['ws-deferred', 'ws'],
];
// 64 KiB POST echo (post-echo.mjs's servers: the app reads the whole body, then answers it).
const POST = ['node-http', 'pagi', 'pagi-helpers'].map((kind) => ({
  name: `${kind} (post)`,
  args: [join(here, 'post-echo.mjs'), '--serve', kind],
  load: 'post',
}));
const WS = [
  { name: 'ws', args: [join(here, 'ws-echo.mjs'), '--serve', 'ws'], load: 'ws' },
  { name: 'ws-deferred', args: [join(here, 'ws-echo.mjs'), '--serve', 'ws-deferred'], load: 'ws' },
  { name: 'pagi-ws', args: [join(here, 'ws-echo.mjs'), '--serve', 'pagi'], load: 'ws' },
];

async function main() {
  const { values } = parseArgs({
    options: {
      warmup: { type: 'string', default: '10000' },
      requests: { type: 'string', default: '5000' },
      // Counted windows per server; the median is its figure (callgrind.mjs countWindows).
      windows: { type: 'string', default: '3' },
      only: { type: 'string' }, // http | users | post | ws
      servers: { type: 'string' },
    },
  });
  if (!hasCommand('valgrind') || !hasCommand('callgrind_control')) {
    console.error('instructions.mjs needs valgrind (apt install valgrind); skipped');
    process.exit(0);
  }
  const opts = {
    warmup: Number(values.warmup),
    requests: Number(values.requests),
    windows: Number(values.windows),
  };
  const sets = { http: HTTP, users: USERS, post: POST, ws: WS };
  let servers = values.only !== undefined ? (sets[values.only] ?? []) : [...HTTP, ...USERS, ...POST, ...WS];
  if (values.servers !== undefined) {
    const wanted = values.servers.split(',');
    servers = servers.filter((s) => wanted.includes(s.name));
  }
  const counts = {};
  // Two at a time: valgrind runs a process on one core; instruction counts ignore the other.
  for (let i = 0; i < servers.length; i += 2) {
    const pair = servers.slice(i, i + 2);
    const results = await Promise.all(pair.map((s) => countPerUnit(s, opts)));
    pair.forEach((s, k) => {
      counts[s.name] = results[k];
      const unit = s.load === 'ws' ? 'message' : 'request';
      console.log(
        `${s.name.padEnd(28)} ${Math.round(results[k]).toLocaleString('en-US').padStart(8)} instructions/${unit}`,
      );
    });
  }
  const rows = [];
  for (const [a, b] of RATIOS) {
    if (counts[a] === undefined || counts[b] === undefined) continue;
    const r = (counts[b] / counts[a]).toFixed(3);
    console.log(`instructions-ratio ${a}/${b} ${r}`);
    rows.push(`| ${a} | ${b} | ${fmt(counts[a])} | ${fmt(counts[b])} | ${r} |`);
  }
  // The same figures as a Markdown table for apps/bench/README.md.
  console.log(
    '\n| server | baseline | instructions | baseline instructions | ratio |\n|---|---|---:|---:|---:|',
  );
  for (const row of rows) console.log(row);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

await main();
