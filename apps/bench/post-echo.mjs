#!/usr/bin/env node
/**
 * 64 KiB POST echo held for a while: does a server stay as fast at the end as at the start?
 * Bare node:http and @pagi/server (the app reads the whole body with receive() and sends it
 * back) each run alone for `--seconds`, in a child (`--pin`: on core 0, the load child on core 1); a load child keeps
 * `--connections` keep-alive connections each with one 64 KiB POST in flight. Every `--interval`
 * seconds the server reports over IPC its request count, CPU time and memory
 * (process.memoryUsage(): no --expose-gc needed), and one line per interval is printed:
 * req/s, CPU µs per request, heapUsed, external, arrayBuffers, rss. A server whose CPU per
 * request grows within one process is accumulating something.
 *
 *   node apps/bench/post-echo.mjs [--seconds 30] [--interval 2] [--connections 10] [--size 65536]
 *     [--servers node-http,pagi,pagi-helpers] [--pin] [--churn] [--v8=--trace-gc] (extra node flags for the server)
 * Build first: (cd packages/spec && npx tsup) && (cd packages/server && npx tsup)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createNodeServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { canPin, median, stopChild } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);

// --- server side -----------------------------------------------------------------------------

async function serve(kind) {
  let count = 0;
  let port;
  if (kind === 'node-http') {
    const server = createNodeServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(200, [
          'content-type',
          'application/octet-stream',
          'content-length',
          String(body.length),
        ]);
        res.end(body);
        count++;
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  } else if (kind === 'pagi-helpers') {
    // The same echo written with @pagi/helpers: Request#bytes() and a Response.
    const { createServer } = await import('@pagi/server');
    const { request, Response } = await import('@pagi/helpers');
    const init = { headers: { 'content-type': 'application/octet-stream' } };
    const app = async (scope, receive, send) => {
      if (scope.type !== 'http') return;
      const body = await request(scope, receive).bytes();
      await new Response(body, init).send(scope, receive, send);
      count++;
    };
    const server = createServer(app, {
      host: '127.0.0.1',
      port: 0,
      lifespan: 'off',
      keepAliveTimeout: 60_000,
    });
    await server.listen();
    port = server.port;
  } else {
    const { createServer } = await import('@pagi/server');
    const headers = [['content-type', 'application/octet-stream']];
    const app = async (scope, receive, send) => {
      if (scope.type !== 'http') return;
      const chunks = [];
      for (;;) {
        const event = await receive();
        if (event.type !== 'http.request') return;
        chunks.push(event.body);
        if (!event.more) break;
      }
      await send({ type: 'http.response.start', status: 200, headers });
      await send({ type: 'http.response.body', body: Buffer.concat(chunks) });
      count++;
    };
    const server = createServer(app, {
      host: '127.0.0.1',
      port: 0,
      lifespan: 'off',
      keepAliveTimeout: 60_000,
    });
    await server.listen();
    port = server.port;
  }
  process.on('message', (m) => {
    if (m === 'sample') process.send({ count, cpu: process.cpuUsage(), mem: process.memoryUsage() });
    else if (typeof m?.profile === 'string') profileWindow(m.profile, m.ms);
  });
  // SIGTERM exits through process.exit so --cpu-prof / --heap-prof write their files.
  process.on('SIGTERM', () => process.exit(0));
  process.send({ port });
}

/**
 * A CPU profile of one window of the run (node:inspector, in-process), written as `file`
 * (.cpuprofile: open in Chrome DevTools, or summarise with `--summarise file`). Comparing an early
 * and a late window shows what grew.
 */
async function profileWindow(file, ms) {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await new Promise((r) => setTimeout(r, ms));
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
}

/** Self time per function (top 25) of a .cpuprofile, in % of the samples. */
function summarise(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const id of profile.samples) {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
}

// --- load side: keep-alive raw sockets, one POST in flight each, runs until killed -----------------

async function drive(port, connections, size) {
  const body = Buffer.alloc(size, 0x61);
  const request = Buffer.concat([
    Buffer.from(
      `POST /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\n`,
    ),
    Buffer.from(`Content-Length: ${size}\r\n\r\n`),
    body,
  ]);
  for (let i = 0; i < connections; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    // Each answer is a head plus `size` body bytes; count bytes past each head's end.
    let head = '';
    let bodyLeft = -1;
    socket.on('data', (chunk) => {
      let offset = 0;
      while (offset < chunk.length) {
        if (bodyLeft < 0) {
          const text = chunk.toString('latin1', offset, Math.min(chunk.length, offset + 512));
          const joined = head + text;
          const end = joined.indexOf('\r\n\r\n');
          if (end === -1) {
            head = joined;
            offset += text.length;
            continue;
          }
          if (!joined.startsWith('HTTP/1.1 200')) throw new Error(`bad answer: ${joined.slice(0, 80)}`);
          offset += end + 4 - head.length;
          head = '';
          bodyLeft = size;
        }
        const take = Math.min(bodyLeft, chunk.length - offset);
        bodyLeft -= take;
        offset += take;
        if (bodyLeft === 0) {
          bodyLeft = -1;
          socket.write(request);
        }
      }
    });
    socket.on('error', (e) => {
      console.error('load socket:', e.message);
      process.exit(1);
    });
    socket.write(request);
  }
}

// --- orchestration ---------------------------------------------------------------------------

let pin = false;
function startPinned(core, args) {
  const argv = [...args];
  return pin && canPin
    ? spawn('taskset', ['-c', String(core), process.execPath, ...argv], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function sample(child) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m?.mem) {
        child.off('message', onMessage);
        resolve(m);
      }
    };
    child.on('message', onMessage);
    child.send('sample');
  });
}

async function measure(kind, opts) {
  const v8 = opts.v8 ? opts.v8.split(' ').filter(Boolean) : [];
  const server = startPinned(0, [...v8, SELF, '--serve', kind]);
  const [{ port }] = await once(server, 'message');
  const startLoad = () =>
    startPinned(1, [SELF, '--drive', String(port), String(opts.connections), String(opts.size)]);
  let load = startLoad();
  const rows = [];
  try {
    let prev = await sample(server);
    let prevAt = performance.now();
    const end = prevAt + opts.seconds * 1000;
    console.log(`\n${kind}: ${opts.connections} connections, ${opts.size}-byte POST echo, ${opts.seconds}s`);
    console.log('    t   req/s  CPU µs/req  heapUsed MB  external MB  arrayBuffers MB  rss MB');
    let i = 0;
    while (performance.now() < end) {
      if (opts.profile && (i === 1 || performance.now() + opts.interval * 1000 >= end)) {
        const which = i === 1 ? 'early' : 'late';
        server.send({ profile: `${opts.profile}/${kind}-${which}.cpuprofile`, ms: opts.interval * 900 });
      }
      i++;
      await new Promise((r) => setTimeout(r, opts.interval * 1000));
      if (opts.churn) {
        // New connections every interval, as a benchmark with rounds opens them (the server lives on).
        await stopChild(load);
        load = startLoad();
      }
      const now = await sample(server);
      const at = performance.now();
      const n = now.count - prev.count;
      const cpuUs = now.cpu.user + now.cpu.system - prev.cpu.user - prev.cpu.system;
      const row = {
        t: (at - end + opts.seconds * 1000) / 1000,
        rps: (n * 1000) / (at - prevAt),
        cpuPerReq: n > 0 ? cpuUs / n : Number.NaN,
        mem: now.mem,
      };
      rows.push(row);
      const mb = (x) => (x / 1048576).toFixed(1).padStart(11);
      console.log(
        `${row.t.toFixed(0).padStart(5)} ${row.rps.toFixed(0).padStart(7)} ${row.cpuPerReq.toFixed(1).padStart(11)} ` +
          `${mb(row.mem.heapUsed)}  ${mb(row.mem.external)}  ${mb(row.mem.arrayBuffers)}      ${mb(row.mem.rss)}`,
      );
      prev = now;
      prevAt = at;
    }
  } finally {
    await stopChild(load);
    await stopChild(server);
  }
  const third = Math.max(1, Math.floor(rows.length / 3));
  const first = rows.slice(0, third);
  const last = rows.slice(-third);
  return {
    firstRps: median(first.map((r) => r.rps)),
    lastRps: median(last.map((r) => r.rps)),
    firstCpu: median(first.map((r) => r.cpuPerReq)),
    lastCpu: median(last.map((r) => r.cpuPerReq)),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '30' },
      interval: { type: 'string', default: '2' },
      connections: { type: 'string', default: '10' },
      size: { type: 'string', default: '65536' },
      servers: { type: 'string', default: 'node-http,pagi' },
      v8: { type: 'string' },
      // Pinning (server core 0, load core 1) is off by default: on a machine shared with other
      // jobs a pinned process cannot move to the idle core and waits in the run queue instead.
      pin: { type: 'boolean', default: false },
      // Writes <dir>/<server>-early.cpuprofile and -late.cpuprofile (second and last interval).
      profile: { type: 'string' },
      // A fresh set of load connections every interval (connection churn, as rounds of wrk give).
      churn: { type: 'boolean', default: false },
    },
  });
  const opts = {
    seconds: Number(values.seconds),
    interval: Number(values.interval),
    connections: Number(values.connections),
    size: Number(values.size),
    v8: values.v8,
    profile: values.profile,
    churn: values.churn,
  };
  pin = values.pin;
  const summary = {};
  for (const kind of values.servers.split(',')) summary[kind] = await measure(kind, opts);
  console.log('\nmedians of the first and last third of the intervals:');
  for (const [kind, s] of Object.entries(summary)) {
    console.log(
      `${kind.padEnd(10)} req/s ${s.firstRps.toFixed(0)} -> ${s.lastRps.toFixed(0)}, ` +
        `CPU µs/req ${s.firstCpu.toFixed(1)} -> ${s.lastCpu.toFixed(1)}`,
    );
    console.log(`cpu-growth ${kind} ${(s.lastCpu / s.firstCpu).toFixed(2)}`);
  }
}

const serveIndex = process.argv.indexOf('--serve');
const summariseIndex = process.argv.indexOf('--summarise');
if (summariseIndex !== -1) {
  summarise(process.argv[summariseIndex + 1]);
  process.exit(0);
}
const driveIndex = process.argv.indexOf('--drive');
if (serveIndex !== -1) await serve(process.argv[serveIndex + 1]);
else if (driveIndex !== -1) {
  const [port, connections, size] = process.argv.slice(driveIndex + 1).map(Number);
  await drive(port, connections, size);
  process.on('SIGTERM', () => process.exit(0));
} else await main();
