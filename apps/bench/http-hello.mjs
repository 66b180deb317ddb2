// HTTP throughput: bare node:http vs Fastify, srvx, Hono and @pagi/server (raw app and
// @pagi/router + @pagi/helpers), on the hello world (also with 12 browser headers) and on
// GET /users/:id answering JSON {id, name} ("what users write"; node:http parses the URL by hand).
// Usage: node apps/bench/http-hello.mjs [--rounds 3] [--duration 5] [--connections 50]
// Each server runs in its own process pinned to core 0; the load generator (wrk, else autocannon)
// is pinned to core 1. Rounds are interleaved so drift hits every server alike. Build first:
//   for p in spec server router helpers; do (cd packages/$p && npx tsup); done
import { fileURLToPath } from 'node:url';
import { canPin, loadHttp, loadOptions, median, startChild, stopChild, useWrk } from './lib.mjs';

const { rounds, duration, connections, warmup } = loadOptions();

// Twelve headers a browser sends on a page load (plus Host, which every tool adds).
const BROWSER_HEADERS = [
  [
    'User-Agent',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  ],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'],
  ['Accept-Language', 'en-US,en;q=0.9'],
  ['Accept-Encoding', 'gzip, deflate, br'],
  ['Cache-Control', 'max-age=0'],
  ['Cookie', 'session=3f2a9c0e7b; theme=dark; _ga=GA1.1.123456789.1700000000'],
  ['Referer', 'http://127.0.0.1/index.html'],
  ['Sec-Fetch-Dest', 'document'],
  ['Sec-Fetch-Mode', 'navigate'],
  ['Sec-Fetch-Site', 'same-origin'],
  ['Upgrade-Insecure-Requests', '1'],
  ['DNT', '1'],
];

// One child per file; the peers (Fastify, srvx, Hono) and pagi-router serve `/` and `/users/:id`.
const FILES = {
  'node-http': 'servers/node-http.mjs',
  'node-users': 'servers/node-users.mjs',
  fastify: 'servers/fastify.mjs',
  srvx: 'servers/srvx.mjs',
  hono: 'servers/hono.mjs',
  pagi: 'servers/pagi.mjs',
  'pagi-users': 'servers/pagi-users.mjs',
  'pagi-router': 'servers/pagi-router.mjs',
  // Not a server: the least any async (scope, receive, send) adapter over node:http does
  // (servers/async-floor.mjs). Its ratio is the ceiling the PAGI interface leaves on this machine.
  'async-floor': 'servers/async-floor.mjs',
};
const HELLO = { path: '/', body: 'Hello, World!' };
const USERS = { path: '/users/42', body: '{"id":"42","name":"Ada"}' };
/** Each set: [label, target, headers, [row name, child]...]; the first row is the baseline. */
const SETS = [
  ['', HELLO, [], ['node-http', 'fastify', 'srvx', 'hono', 'pagi', 'pagi-router', 'async-floor']],
  [' (12 headers)', HELLO, BROWSER_HEADERS, ['node-http', 'fastify', 'srvx', 'hono', 'pagi', 'async-floor']],
  [
    ' (users)',
    USERS,
    [],
    [
      ['node-http', 'node-users'],
      ['fastify', 'fastify'],
      ['hono', 'hono'],
      ['srvx', 'srvx'],
      ['pagi', 'pagi-users'],
      ['pagi-router', 'pagi-router'],
    ],
  ],
];

async function check(name, port, target) {
  const res = await fetch(`http://127.0.0.1:${port}${target.path}`);
  const text = await res.text();
  const length = String(Buffer.byteLength(target.body));
  if (res.status !== 200 || text !== target.body || res.headers.get('content-length') !== length) {
    throw new Error(
      `${name} ${target.path}: wrong response ${res.status} ${JSON.stringify(text)} ${JSON.stringify([...res.headers])}`,
    );
  }
}

function cpuOf(child) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m?.cpu) {
        child.off('message', onMessage);
        resolve((m.cpu.user + m.cpu.system) / 1000);
      }
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

/** Runs the load tool against one server; adds CPU ms the server spent per 1000 requests. */
async function load(server, path, seconds, headers) {
  const before = await cpuOf(server.child);
  const result = await loadHttp(`http://127.0.0.1:${server.port}${path}`, {
    seconds,
    connections,
    headers,
    pinCore: 1,
  });
  const cpuMs = (await cpuOf(server.child)) - before;
  return { ...result, cpuPerK: (1000 * cpuMs) / result.requests };
}

const here = fileURLToPath(new URL('.', import.meta.url));
const children = {};
try {
  for (const [name, file] of Object.entries(FILES)) {
    const { child, port } = await startChild(here + file, 0);
    children[name] = { child, port };
  }
  for (const [, target, , rows] of SETS) {
    for (const row of rows) {
      const [name, file] = Array.isArray(row) ? row : [row, row];
      await check(name, children[file].port, target);
    }
  }
  console.log(
    `load: ${useWrk ? 'wrk' : 'autocannon'}, ${connections} connections, ${rounds} rounds x ${duration}s, ` +
      `pinned: ${canPin ? 'server core 0, load core 1' : 'no'}; node ${process.version}`,
  );
  const lines = [];
  const table = [
    '| set | server | req/s | CPU ms/1k req | ratio req/s | cpu-efficiency |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const [label, target, headers, rows] of SETS) {
    const servers = rows.map((row) => {
      const [name, file] = Array.isArray(row) ? row : [row, row];
      return { name, ...children[file] };
    });
    for (const s of servers) await load(s, target.path, warmup, headers);
    const samples = Object.fromEntries(servers.map((s) => [s.name, []]));
    for (let r = 0; r < rounds; r++) {
      // The order rotates each round, so drift on a shared machine hits every server alike.
      for (let k = 0; k < servers.length; k++) {
        const s = servers[(k + r) % servers.length];
        samples[s.name].push(await load(s, target.path, duration, headers));
      }
    }
    const base = servers[0].name;
    const baseRps = median(samples[base].map((x) => x.rps));
    const baseCpu = median(samples[base].map((x) => x.cpuPerK));
    for (const s of servers) {
      const rps = median(samples[s.name].map((x) => x.rps));
      const p99 = median(samples[s.name].map((x) => x.p99));
      const cpu = median(samples[s.name].map((x) => x.cpuPerK));
      console.log(
        `${(s.name + label).padEnd(26)} ${rps.toFixed(0).padStart(8)} req/s  p99 ${p99.toFixed(2).padStart(7)} ms  ` +
          `${cpu.toFixed(1).padStart(6)} CPU ms/1k req  (req/s per round: ${samples[s.name].map((x) => x.rps.toFixed(0)).join(', ')})`,
      );
      if (s.name === base) continue;
      // cpu-efficiency = baseline CPU per request / the server's: less sensitive to other load on
      // the machine than req/s, since each server is measured by its own CPU time.
      lines.push(`ratio ${s.name}/${base}${label} ${(rps / baseRps).toFixed(2)}`);
      lines.push(`cpu-efficiency ${s.name}/${base}${label} ${(baseCpu / cpu).toFixed(2)}`);
      table.push(
        `| ${label.trim() || '(hello)'} | ${s.name} | ${rps.toFixed(0)} | ${cpu.toFixed(1)} | ${(rps / baseRps).toFixed(2)} | ${(baseCpu / cpu).toFixed(2)} |`,
      );
    }
  }
  for (const line of lines) console.log(line);
  console.log(`\n${table.join('\n')}`);
} finally {
  for (const { child } of Object.values(children)) await stopChild(child);
}
