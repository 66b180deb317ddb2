// Multi-worker throughput: `pagi-server --workers 2` vs `--workers 1`, hello world.
// Usage: node apps/bench/http-workers.mjs [--rounds 3] [--duration 5] [--connections 50]
// Build first: (cd packages/spec && npx tsup) && (cd packages/server && npx tsup)
// Nothing is pinned: the workers need every core, and the load generator (wrk, else autocannon)
// runs on the same cores, so on a 2-core machine the client takes a share the workers can't use.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadHttp, loadOptions, median, useWrk } from './lib.mjs';

const { rounds, duration, connections, warmup } = loadOptions();

const cli = fileURLToPath(new URL('../../packages/server/dist/cli.js', import.meta.url));
const app = fileURLToPath(new URL('./servers/hello-app.mjs', import.meta.url));
if (!existsSync(cli))
  throw new Error(`${cli} is missing: build @pagi/spec and @pagi/server first (npx tsup)`);

/** Starts pagi-server and resolves with its URL once the banner says it listens. */
function start(workers) {
  const child = spawn(
    process.execPath,
    [
      cli,
      '--port',
      '0',
      '--workers',
      String(workers),
      '--lifespan',
      'off',
      '--access-log',
      'off',
      '--keep-alive-timeout',
      '60',
      app,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`pagi-server --workers ${workers} exited with ${code}: ${err}`)),
    );
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1], workers });
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function check(server) {
  // Correct output first, from every worker (fresh connections are spread over the workers).
  for (let i = 0; i < 4 * server.workers; i++) {
    const res = await fetch(`${server.url}/`, { headers: { connection: 'close' } });
    const text = await res.text();
    if (res.status !== 200 || text !== 'Hello, World!')
      throw new Error(`wrong response ${res.status} ${text}`);
  }
}

async function load(url, seconds) {
  return (await loadHttp(`${url}/`, { seconds, connections })).rps;
}

const servers = [];
try {
  for (const workers of [1, 2]) servers.push(await start(workers));
  for (const s of servers) await check(s);
  console.log(
    `load: ${useWrk ? 'wrk -t1' : 'autocannon'}, ${connections} connections, ${rounds} rounds x ${duration}s, ` +
      `${cpus().length} cores shared by server and load generator; node ${process.version}`,
  );
  for (const s of servers) await load(s.url, warmup);
  const samples = new Map(servers.map((s) => [s.workers, []]));
  for (let r = 0; r < rounds; r++) {
    for (const s of servers) samples.get(s.workers).push(await load(s.url, duration));
  }
  for (const s of servers) {
    const xs = samples.get(s.workers);
    console.log(
      `pagi-workers${s.workers}`.padEnd(16),
      `${median(xs).toFixed(0).padStart(8)} req/s  (per round: ${xs.map((x) => x.toFixed(0)).join(', ')})`,
    );
  }
  console.log(
    `ratio pagi-workers2/pagi-workers1 ${(median(samples.get(2)) / median(samples.get(1))).toFixed(2)}`,
  );
} finally {
  for (const s of servers) await stop(s.child);
}
