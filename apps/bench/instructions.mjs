#!/usr/bin/env node
/**
 * User-space instructions per request / per message, counted by valgrind (callgrind), for the
 * HTTP hello world (bare node:http, the async floor, @pagi/server, @pagi/router, Fastify, srvx,
 * Hono; without and with 12 browser headers), "what users write" (GET /users/:id answering JSON
 * {id, name}: node:http by hand, Fastify, Hono, srvx, a raw PAGI app, @pagi/router + helpers) and
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
 *   node apps/bench/instructions.mjs [--warmup 10000] [--requests 5000] [--only http|users|ws]
 *     [--servers 'pagi,node-http'] (a subset, by the names printed)
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { hasCommand, rawWsClient, wsClientFrame } from './lib.mjs';

const run = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const here = fileURLToPath(new URL('.', import.meta.url));

const BROWSER =
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n' +
  'Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\nCache-Control: max-age=0\r\n' +
  'Cookie: session=3f2a9c0e7b; theme=dark; _ga=GA1.1.123456789.1700000000\r\n' +
  'Referer: http://127.0.0.1/index.html\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\n' +
  'Sec-Fetch-Site: same-origin\r\nUpgrade-Insecure-Requests: 1\r\nDNT: 1\r\n';

// --- load side: a child process that sends exactly `count` requests or messages ----------------

async function driveHttp(port, count, browser, users) {
  const target = users ? '/users/42' : '/';
  // The last bytes of each answer's body: one marker seen = one response complete.
  const marker = users ? '"name":"Ada"}' : 'Hello, World!';
  const request = Buffer.from(
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${browser ? BROWSER : ''}\r\n`,
  );
  let left = count;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      await new Promise((resolve, reject) => {
        let text = '';
        const next = () => {
          if (left <= 0) {
            socket.end();
            resolve();
          } else {
            left--;
            socket.write(request);
          }
        };
        socket.on('data', (chunk) => {
          text += chunk.toString('latin1');
          for (let i = text.indexOf(marker); i !== -1; i = text.indexOf(marker)) {
            text = text.slice(i + marker.length);
            next();
          }
        });
        socket.on('error', reject);
        next();
      });
    }),
  );
}

async function driveWs(port, count) {
  const size = 32;
  const frame = wsClientFrame(size);
  let left = count;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const socket = await rawWsClient(port);
      await new Promise((resolve) => {
        let pending = 0;
        socket.on('data', (chunk) => {
          pending += chunk.length;
          while (pending >= 2 + size) {
            pending -= 2 + size;
            if (left-- > 0) socket.write(frame);
            else {
              socket.destroy();
              return resolve();
            }
          }
        });
        left--;
        socket.write(frame);
      });
    }),
  );
}

// --- measuring side ----------------------------------------------------------------------------

/** Starts `args` under callgrind; resolves with the child and its port (IPC message or stdout line). */
async function startUnderCallgrind(args, outDir) {
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${join(outDir, 'cg.out')}`,
      '--smc-check=all-non-file',
      process.execPath,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'ignore', 'ipc'] },
  );
  const port = await new Promise((resolve, reject) => {
    child.on('message', (m) => typeof m?.port === 'number' && resolve(m.port));
    child.stdout.on('data', (d) => {
      const n = Number(String(d).trim());
      if (Number.isInteger(n) && n > 0) resolve(n);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child, port };
}

async function countPerUnit(server, { warmup, requests }) {
  const outDir = mkdtempSync(join(tmpdir(), 'pagi-cg-'));
  const { child, port } = await startUnderCallgrind(server.args, outDir);
  const drive = (n) => run(process.execPath, [SELF, '--drive', server.load, String(port), String(n)]);
  const control = (flag) => run('callgrind_control', [flag, String(child.pid)]);
  try {
    await drive(warmup);
    await control('-z');
    await drive(requests); // settles what the warm-up left behind; not counted
    await control('-z');
    await drive(requests);
    await control('-d');
    const dump = readdirSync(outDir).find((f) => f !== 'cg.out');
    const text = readFileSync(join(outDir, dump), 'utf8');
    const total = Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]);
    return total / requests;
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    rmSync(outDir, { recursive: true, force: true });
  }
}

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
  ['pagi-ws', 'ws'],
  ['ws-deferred', 'ws'],
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
      only: { type: 'string' }, // http | users | ws
      servers: { type: 'string' },
    },
  });
  if (!hasCommand('valgrind') || !hasCommand('callgrind_control')) {
    console.error('instructions.mjs needs valgrind (apt install valgrind); skipped');
    process.exit(0);
  }
  const opts = { warmup: Number(values.warmup), requests: Number(values.requests) };
  const sets = { http: HTTP, users: USERS, ws: WS };
  let servers = values.only !== undefined ? (sets[values.only] ?? []) : [...HTTP, ...USERS, ...WS];
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

const driveIndex = process.argv.indexOf('--drive');
if (driveIndex !== -1) {
  const [load, port, count] = process.argv.slice(driveIndex + 1);
  if (load === 'ws') await driveWs(Number(port), Number(count));
  else await driveHttp(Number(port), Number(count), load === 'http12', load === 'users');
} else {
  await main();
}
