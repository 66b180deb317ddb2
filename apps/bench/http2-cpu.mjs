// Where an HTTP/2 server's CPU goes per request under h2load (the diagnosis behind http2.mjs's
// CPU ratio): per server, interleaved rounds of a fixed request count, each reporting
// - CPU ms per 1k requests, split into the main thread and every other thread (V8's platform
//   workers: concurrent marking, parallel scavenge, concurrent compiling; libuv's pool), read from
//   /proc/<pid>/task/*/stat (10 ms ticks: keep rounds at ≥ 20k requests);
// - scavenges and mark-compacts per 10k requests, GC pause ms per 1k requests and bytes allocated
//   per request (sum of `allocated=` over the round's scavenges, node --trace-gc-nvp), and bytes
//   per request that scavenges copied (`new_space_survived=` + `promoted=`): the scavenger's work;
// Usage: node apps/bench/http2-cpu.mjs [--servers node-http2,pagi-h2] [--requests 30000]
//   [--warmup 30000] (a server is a name from servers/ or a path to an .mjs file) [--rounds 3] [--connections 10] [--streams 10] [--node-args '--single-threaded-gc']
// Build first: for p in spec server; do (cd packages/$p && npx tsup); done
// Linux only (/proc). The machine's load is printed with every round: CPU time per request still
// moves with it (cache and frequency), so compare servers within one run.
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { canPin, median, stopChild } from './lib.mjs';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'node-http2,pagi-h2' },
    requests: { type: 'string', default: '30000' },
    warmup: { type: 'string', default: '30000' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    streams: { type: 'string', default: '10' },
    'node-args': { type: 'string', default: '' },
  },
});
const requests = Number(values.requests);
const here = fileURLToPath(new URL('.', import.meta.url));
const nodeArgs = values['node-args'].split(' ').filter((a) => a !== '');
const TICK_MS = 10; // USER_HZ = 100 on Linux

/** Starts a server with --trace-gc-nvp; collects its GC events from stdout. */
function start(name) {
  // A name ending in .mjs is a server file of its own (e.g. a copy importing an older build).
  const file = name.endsWith('.mjs') ? name : `${here}servers/${name}.mjs`;
  const args = ['--trace-gc-nvp', ...nodeArgs, file];
  const child = canPin
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], {
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const server = { name, child, port: 0, gc: [] };
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      const kind = / gc=(\w+)/.exec(line)?.[1];
      if (kind === undefined) continue;
      server.gc.push({
        kind,
        pause: Number(/ pause=([\d.]+)/.exec(line)?.[1] ?? 0),
        allocated: Number(/ allocated=(\d+)/.exec(line)?.[1] ?? 0),
        promoted: Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0),
        survived: Number(/ new_space_survived=(\d+)/.exec(line)?.[1] ?? 0),
      });
    }
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    child.on('message', (m) => {
      if (typeof m?.port === 'number') {
        server.port = m.port;
        resolve(server);
      }
    });
  });
}

/** CPU ms of the main thread and of all other threads, from /proc. */
function threadCpu(pid) {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // a thread that ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
    if (tid === String(pid)) main += ms;
    else others += ms;
  }
  return { main, others };
}

async function h2load(port, count) {
  const args = [
    '-n',
    String(count),
    '-c',
    values.connections,
    '-m',
    values.streams,
    `http://127.0.0.1:${port}/`,
  ];
  const { stdout } = await (canPin ? run('taskset', ['-c', '1', 'h2load', ...args]) : run('h2load', args));
  const done = /(\d+) succeeded, (\d+) failed/.exec(stdout);
  if (done === null || Number(done[1]) !== count) throw new Error(`h2load did not complete:\n${stdout}`);
}

async function measure(server) {
  const before = threadCpu(server.child.pid);
  server.gc.length = 0;
  const load = loadavg()[0];
  await h2load(server.port, requests);
  await new Promise((r) => setTimeout(r, 50)); // the last GC lines
  const after = threadCpu(server.child.pid);
  const per = (x) => (x * 1000) / requests;
  const count = (kind) => server.gc.filter((g) => g.kind === kind).length;
  return {
    load,
    main: per(after.main - before.main),
    others: per(after.others - before.others),
    cpu: per(after.main - before.main + after.others - before.others),
    scavenges: (count('s') * 10000) / requests,
    markCompacts: (count('mc') * 10000) / requests,
    pause: per(server.gc.reduce((s, g) => s + g.pause, 0)),
    bytes: server.gc.reduce((s, g) => s + (g.kind === 's' ? g.allocated : 0), 0) / requests,
    // What scavenges copied: kept in new space + promoted to old space (the scavenger's work).
    survived: server.gc.reduce((s, g) => s + (g.kind === 's' ? g.survived + g.promoted : 0), 0) / requests,
  };
}

const names = values.servers.split(',');
const servers = [];
try {
  for (const name of names) servers.push(await start(name));
  console.log(
    `h2load -n ${requests} -c ${values.connections} -m ${values.streams}, ${values.rounds} rounds, ` +
      `node ${process.version} ${['--trace-gc-nvp', ...nodeArgs].join(' ')}; pinned: ${canPin ? 'yes' : 'no'}`,
  );
  for (const s of servers) await h2load(s.port, Number(values.warmup));
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const rounds = Number(values.rounds);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < servers.length; k++) {
      const s = servers[(k + r) % servers.length];
      const m = await measure(s);
      samples[s.name].push(m);
      console.log(
        `  round ${r + 1} ${s.name.padEnd(12)} load ${m.load.toFixed(2).padStart(5)}  CPU ${m.cpu.toFixed(1)} ms/1k ` +
          `(main ${m.main.toFixed(1)}, other threads ${m.others.toFixed(1)})  scavenges ${m.scavenges.toFixed(1)}/10k ` +
          `mark-compacts ${m.markCompacts.toFixed(2)}/10k  GC pause ${m.pause.toFixed(2)} ms/1k  ` +
          `${m.bytes.toFixed(0)} B allocated/req, ${m.survived.toFixed(0)} B survived/req`,
      );
    }
  }
  const med = (name, key) => median(samples[name].map((m) => m[key]));
  console.log('median per server:');
  for (const name of names) {
    console.log(
      `${name.padEnd(12)} CPU ${med(name, 'cpu').toFixed(1)} ms/1k (main ${med(name, 'main').toFixed(1)}, ` +
        `other ${med(name, 'others').toFixed(1)})  scavenges ${med(name, 'scavenges').toFixed(1)}/10k  ` +
        `mark-compacts ${med(name, 'markCompacts').toFixed(2)}/10k  pause ${med(name, 'pause').toFixed(2)} ms/1k  ` +
        `${med(name, 'bytes').toFixed(0)} B/req allocated, ${med(name, 'survived').toFixed(0)} B/req survived`,
    );
  }
  const base = names[0];
  for (const name of names.slice(1)) {
    console.log(
      `ratio ${name}/${base} ${(med(base, 'cpu') / med(name, 'cpu')).toFixed(2)} by CPU per request ` +
        `(main thread ${(med(base, 'main') / med(name, 'main')).toFixed(2)})`,
    );
  }
} finally {
  for (const s of servers) await stopChild(s.child);
}
