#!/usr/bin/env node
/**
 * User-space instructions per request / per message, counted by valgrind (callgrind), for the
 * HTTP hello world (bare node:http, the async floor, @pagi/server; without and with 12 browser
 * headers) and the WebSocket echo (bare ws, ws answering one microtask late, @pagi/server).
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
 *   node apps/bench/instructions.mjs [--warmup 10000] [--requests 5000] [--only http|ws]
 *     [--servers 'pagi,node-http'] (a subset, by the names printed)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countPerUnit } from './callgrind.mjs';
import { hasCommand } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

const HTTP = [
  { name: 'node-http', args: [join(here, 'servers/node-http.mjs')], load: 'http' },
  { name: 'async-floor', args: [join(here, 'servers/async-floor.mjs')], load: 'http' },
  { name: 'pagi', args: [join(here, 'servers/pagi.mjs')], load: 'http' },
  { name: 'node-http (12 headers)', args: [join(here, 'servers/node-http.mjs')], load: 'http12' },
  { name: 'async-floor (12 headers)', args: [join(here, 'servers/async-floor.mjs')], load: 'http12' },
  { name: 'pagi (12 headers)', args: [join(here, 'servers/pagi.mjs')], load: 'http12' },
];
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
      only: { type: 'string' },
      servers: { type: 'string' },
    },
  });
  if (!hasCommand('valgrind') || !hasCommand('callgrind_control')) {
    console.error('instructions.mjs needs valgrind (apt install valgrind); skipped');
    process.exit(0);
  }
  const opts = { warmup: Number(values.warmup), requests: Number(values.requests) };
  let servers = values.only === 'http' ? HTTP : values.only === 'ws' ? WS : [...HTTP, ...WS];
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
        `${s.name.padEnd(26)} ${Math.round(results[k]).toLocaleString('en-US').padStart(8)} instructions/${unit}`,
      );
    });
  }
  const ratio = (a, b) => {
    if (counts[a] !== undefined && counts[b] !== undefined)
      console.log(`instructions-ratio ${a}/${b} ${(counts[b] / counts[a]).toFixed(3)}`);
  };
  ratio('pagi', 'node-http');
  ratio('async-floor', 'node-http');
  ratio('pagi (12 headers)', 'node-http (12 headers)');
  ratio('async-floor (12 headers)', 'node-http (12 headers)');
  ratio('pagi-ws', 'ws');
  ratio('ws-deferred', 'ws');
}

await main();
