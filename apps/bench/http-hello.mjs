// HTTP hello-world throughput: bare node:http vs Fastify vs @pagi/server.
// Usage: node apps/bench/http-hello.mjs [--rounds 3] [--duration 5] [--connections 50]
// Each server runs in its own process pinned to core 0; the load generator (wrk, else autocannon)
// is pinned to core 1. Rounds are interleaved so drift hits every server alike. Build first:
//   (cd packages/spec && npx tsup) && (cd packages/server && npx tsup)
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

const SERVERS = [
  { name: 'node-http', file: 'servers/node-http.mjs' },
  { name: 'fastify', file: 'servers/fastify.mjs' },
  { name: 'pagi', file: 'servers/pagi.mjs' },
  // Not a server: the least any async (scope, receive, send) adapter over node:http does
  // (servers/async-floor.mjs). Its ratio is the ceiling the PAGI interface leaves on this machine.
  { name: 'async-floor', file: 'servers/async-floor.mjs' },
];

async function check(name, port) {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  const text = await res.text();
  if (res.status !== 200 || text !== 'Hello, World!' || res.headers.get('content-length') !== '13') {
    throw new Error(
      `${name}: wrong response ${res.status} ${JSON.stringify(text)} ${JSON.stringify([...res.headers])}`,
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
async function load(server, seconds, headers) {
  const before = await cpuOf(server.child);
  const result = await loadOnly(server.port, seconds, headers);
  const cpuMs = (await cpuOf(server.child)) - before;
  return { ...result, cpuPerK: (1000 * cpuMs) / result.requests };
}

function loadOnly(port, seconds, headers) {
  return loadHttp(`http://127.0.0.1:${port}/`, { seconds, connections, headers, pinCore: 1 });
}

const here = fileURLToPath(new URL('.', import.meta.url));
const started = [];
try {
  for (const s of SERVERS) {
    const { child, port } = await startChild(here + s.file, 0);
    started.push(child);
    s.port = port;
    s.child = child;
    await check(s.name, port);
  }
  console.log(
    `load: ${useWrk ? 'wrk' : 'autocannon'}, ${connections} connections, ${rounds} rounds x ${duration}s, ` +
      `pinned: ${canPin ? 'server core 0, load core 1' : 'no'}; node ${process.version}`,
  );
  const results = {};
  for (const [label, headers] of [
    ['', []],
    [' (12 headers)', BROWSER_HEADERS],
  ]) {
    for (const s of SERVERS) await load(s, warmup, headers);
    const samples = Object.fromEntries(SERVERS.map((s) => [s.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const s of SERVERS) samples[s.name].push(await load(s, duration, headers));
    }
    const base = median(samples['node-http'].map((x) => x.rps));
    const baseCpu = median(samples['node-http'].map((x) => x.cpuPerK));
    for (const s of SERVERS) {
      const rps = median(samples[s.name].map((x) => x.rps));
      const p99 = median(samples[s.name].map((x) => x.p99));
      const cpu = median(samples[s.name].map((x) => x.cpuPerK));
      results[s.name + label] = rps / base;
      results[`cpu ${s.name}${label}`] = baseCpu / cpu;
      console.log(
        `${(s.name + label).padEnd(24)} ${rps.toFixed(0).padStart(8)} req/s  p99 ${p99.toFixed(2).padStart(7)} ms  ` +
          `${cpu.toFixed(1).padStart(6)} CPU ms/1k req  (req/s per round: ${samples[s.name].map((x) => x.rps.toFixed(0)).join(', ')})`,
      );
    }
  }
  // CPU-time ratios (node-http CPU per request / server CPU per request): less sensitive to other
  // load on the machine than req/s, since each server is measured by its own CPU time.
  console.log(`cpu-efficiency pagi/node-http ${results['cpu pagi'].toFixed(2)}`);
  console.log(`cpu-efficiency fastify/node-http ${results['cpu fastify'].toFixed(2)}`);
  console.log(`cpu-efficiency pagi/node-http (12 headers) ${results['cpu pagi (12 headers)'].toFixed(2)}`);
  console.log(`ratio pagi/node-http ${results.pagi.toFixed(2)}`);
  console.log(`ratio fastify/node-http ${results.fastify.toFixed(2)}`);
  console.log(`ratio pagi/node-http (12 headers) ${results['pagi (12 headers)'].toFixed(2)}`);
  console.log(`ratio fastify/node-http (12 headers) ${results['fastify (12 headers)'].toFixed(2)}`);
  console.log(`ratio async-floor/node-http ${results['async-floor'].toFixed(2)}`);
  console.log(`ratio async-floor/node-http (12 headers) ${results['async-floor (12 headers)'].toFixed(2)}`);
} finally {
  for (const child of started) await stopChild(child);
}
