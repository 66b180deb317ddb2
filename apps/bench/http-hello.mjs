// HTTP hello-world throughput: bare node:http vs Fastify vs @pagi/server.
// Usage: node apps/bench/http-hello.mjs [--rounds 3] [--duration 5] [--connections 50]
// Each server runs in its own process pinned to core 0; the load generator (wrk, else autocannon)
// is pinned to core 1. Rounds are interleaved so drift hits every server alike. Build first:
//   (cd packages/spec && npx tsup) && (cd packages/server && npx tsup)
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { canPin, hasCommand, startChild, stopChild } from './lib.mjs';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const warmup = Number(values.warmup);

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
];

const useWrk = hasCommand('wrk');

async function check(name, port) {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  const text = await res.text();
  if (res.status !== 200 || text !== 'Hello, World!' || res.headers.get('content-length') !== '13') {
    throw new Error(
      `${name}: wrong response ${res.status} ${JSON.stringify(text)} ${JSON.stringify([...res.headers])}`,
    );
  }
}

function parseLatency(text) {
  const m = /^\s*([\d.]+)(us|ms|s)$/.exec(text);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
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

async function loadOnly(port, seconds, headers) {
  const url = `http://127.0.0.1:${port}/`;
  if (useWrk) {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
    for (const [k, v] of headers) args.push('-H', `${k}: ${v}`);
    args.push(url);
    const { stdout } = canPin ? await run('taskset', ['-c', '1', 'wrk', ...args]) : await run('wrk', args);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
    const p99 = parseLatency(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
    if (errors) throw new Error(`wrk saw ${errors[1]} non-2xx responses`);
    const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
    return { rps, p99, requests };
  }
  const autocannon = (await import('autocannon')).default;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: Object.fromEntries(headers),
  });
  if (result.non2xx > 0) throw new Error(`autocannon saw ${result.non2xx} non-2xx responses`);
  return { rps: result.requests.average, p99: result.latency.p99, requests: result.requests.total };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
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
} finally {
  for (const child of started) await stopChild(child);
}
