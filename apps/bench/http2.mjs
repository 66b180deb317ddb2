// HTTP/2 (h2c) throughput: bare node:http2 (core stream API, and its compatibility API) against
// @pagi/server --http2 on the same hello world, with h2load (Debian nghttp2-client), interleaved.
// Also: 100 concurrent streams on one connection, and a 100 MiB download over h2 with the
// server's peak RSS (target < 150 MB).
// Usage: node apps/bench/http2.mjs [--rounds 3] [--duration 5] [--connections 10]
// Build first: for p in spec server; do (cd packages/$p && npx tsup); done
// Each server first gets 150,000 requests (V8's start-up GC phase, see below), then --warmup s.
// The ratio printed first is by server CPU time per request (what machine load skews least);
// req/s is printed too, and is noise on a loaded machine.
import { execFile } from 'node:child_process';
import { connect } from 'node:http2';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { canPin, loadOptions, median, startChild, stopChild } from './lib.mjs';

const run = promisify(execFile);
const { rounds, duration, connections, warmup } = loadOptions();
const here = fileURLToPath(new URL('.', import.meta.url));
const FILES = {
  'node-http2': 'servers/node-http2.mjs',
  'node-http2-compat': 'servers/node-http2-compat.mjs',
  'pagi-h2': 'servers/pagi-h2.mjs',
};

function ask(child, what) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m?.[what] !== undefined) {
        child.off('message', onMessage);
        resolve(m[what]);
      }
    };
    child.on('message', onMessage);
    child.send(what);
  });
}
const cpuMs = async (child) => {
  const cpu = await ask(child, 'cpu');
  return (cpu.user + cpu.system) / 1000;
};

/** One h2load run: `clients` connections × `streams` concurrent streams each, for `seconds`. */
async function h2load(port, seconds, clients, streams) {
  const args = [
    '-D',
    String(seconds),
    '-c',
    String(clients),
    '-m',
    String(streams),
    `http://127.0.0.1:${port}/`,
  ];
  const cmd = canPin ? 'taskset' : 'h2load';
  const { stdout } = await run(cmd, canPin ? ['-c', '1', 'h2load', ...args] : args, { maxBuffer: 1 << 24 });
  const done = stdout.match(
    /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed/,
  );
  const rps = stdout.match(/finished in [\d.]+m?s, ([\d.]+) req\/s/);
  if (done === null || rps === null) throw new Error(`h2load output not understood:\n${stdout}`);
  if (Number(done[5]) > 0) throw new Error(`h2load: ${done[5]} requests failed:\n${stdout}`);
  return { requests: Number(done[4]), rps: Number(rps[1]) };
}

const WARMUP_REQUESTS = 150_000;

/** h2load with a fixed request count (10 connections x 10 streams), for the warm-up. */
async function h2loadCount(port, count) {
  const args = ['-n', String(count), '-c', '10', '-m', '10', `http://127.0.0.1:${port}/`];
  await (canPin ? run('taskset', ['-c', '1', 'h2load', ...args]) : run('h2load', args));
}

async function measure(server, seconds, clients, streams) {
  const before = await cpuMs(server.child);
  const r = await h2load(server.port, seconds, clients, streams);
  const cpu = (await cpuMs(server.child)) - before;
  return { ...r, cpuPerK: (1000 * cpu) / r.requests };
}

async function download(server) {
  let peak = await ask(server.child, 'rss');
  const timer = setInterval(async () => {
    peak = Math.max(peak, await ask(server.child, 'rss'));
  }, 100);
  const session = connect(`http://127.0.0.1:${server.port}`);
  const started = performance.now();
  const bytes = await new Promise((resolve, reject) => {
    let n = 0;
    const stream = session.request({ ':path': '/big' });
    stream.on('data', (c) => {
      n += c.length;
    });
    stream.on('end', () => resolve(n));
    stream.on('error', reject);
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  session.close();
  peak = Math.max(peak, await ask(server.child, 'rss'));
  return { bytes, seconds, peakMb: peak / 1024 / 1024 };
}

const children = {};
try {
  for (const [name, file] of Object.entries(FILES)) children[name] = await startChild(here + file, 0);
  console.log(
    `load: h2load, ${connections} connections x 10 streams, ${rounds} rounds x ${duration}s, ` +
      `pinned: ${canPin ? 'server core 0, load core 1' : 'no'}; node ${process.version}`,
  );
  // The download runs first, in a fresh process, so its peak RSS is the stream's, not the heap a
  // minute of load left behind.
  const big = await download(children['pagi-h2']);
  // Past V8's start-up GC phase before anything is counted: while new space grows to its final
  // size, every server promotes much of what a request allocates and runs mark-compacts with
  // concurrent marking on the other threads (apps/bench/http2-cpu.mjs shows it: up to 5 kB per
  // request surviving scavenges instead of 0.1-0.3 kB), which lasted 50-150k requests here and
  // skewed whichever server was still in it. A fixed request count, not seconds, so a slow
  // server is not measured earlier in that phase than a fast one.
  for (const name of Object.keys(children)) await h2loadCount(children[name].port, WARMUP_REQUESTS);
  const sets = [
    ['', connections, 10],
    [' (1 connection, 100 streams)', 1, 100],
  ];
  const lines = [];
  for (const [label, clients, streams] of sets) {
    const names = Object.keys(children);
    for (const name of names) await measure(children[name], warmup, clients, streams);
    const samples = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + r) % names.length];
        samples[name].push(await measure(children[name], duration, clients, streams));
      }
    }
    const baseCpu = median(samples['node-http2'].map((x) => x.cpuPerK));
    const baseRps = median(samples['node-http2'].map((x) => x.rps));
    for (const name of names) {
      const rps = median(samples[name].map((x) => x.rps));
      const cpu = median(samples[name].map((x) => x.cpuPerK));
      console.log(
        `${(name + label).padEnd(48)} ${rps.toFixed(0).padStart(8)} req/s  ${cpu.toFixed(1).padStart(6)} CPU ms/1k req`,
      );
      if (name === 'node-http2') continue;
      lines.push(
        `ratio ${name}/node-http2${label} ${(baseCpu / cpu).toFixed(2)} (by server CPU per request)`,
      );
      lines.push(
        `ratio-rps ${name}/node-http2${label} ${(rps / baseRps).toFixed(2)} (by req/s; noisy under load)`,
      );
    }
  }
  for (const line of lines) console.log(line);
  console.log(
    `download pagi-h2 100 MiB: ${big.bytes} bytes in ${big.seconds.toFixed(2)} s, server peak RSS ${big.peakMb.toFixed(0)} MB (target < 150)`,
  );
} finally {
  for (const { child } of Object.values(children)) await stopChild(child);
}
