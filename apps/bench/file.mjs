// File serving throughput: fileApp (@pagi/middleware-static) on @pagi/server against bare
// node:http + fs.createReadStream().pipe(res), both serving the same 100 MiB file.
// Usage: node apps/bench/file.mjs [--mib 100] [--rounds 5]
//   (build packages/spec, packages/server and packages/middleware-static first: npx tsup in each)
// Each server is its own process pinned to core 0 (taskset, when present); the downloads run
// here, one at a time, alternating servers; the median round of each is reported, with the
// server's CPU time per download (less sensitive to machine load than MB/s).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, startChild, stopChild } from './lib.mjs';

const { values } = parseArgs({
  options: { mib: { type: 'string', default: '100' }, rounds: { type: 'string', default: '5' } },
});
const SIZE = Number(values.mib) * 1024 * 1024;
const ROUNDS = Number(values.rounds);

const dir = await mkdtemp(join(tmpdir(), 'pagi-bench-file-'));
const chunk = Buffer.alloc(1024 * 1024);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
await writeFile(
  join(dir, 'big.bin'),
  Buffer.concat(Array.from({ length: SIZE / chunk.length }, () => chunk)),
);
process.env.BENCH_FILE_ROOT = dir;

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

/** Downloads the whole file once; resolves with { seconds, bytes } after checking the length. */
function download(port) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/big.bin', agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (d) => {
        bytes += d.length;
      });
      res.on('end', () => {
        if (res.statusCode !== 200 || bytes !== SIZE)
          return reject(new Error(`expected 200 and ${SIZE} bytes, got ${res.statusCode} and ${bytes}`));
        resolve({ seconds: (performance.now() - start) / 1000, bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const here = fileURLToPath(new URL('.', import.meta.url));
const servers = [
  { name: 'node-stream', file: `${here}servers/node-file.mjs` },
  { name: 'file', file: `${here}servers/pagi-file.mjs` },
];
try {
  for (const s of servers) {
    Object.assign(s, await startChild(s.file, 0));
    s.samples = [];
    await download(s.port); // warm-up, and the check that it serves the whole file
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of servers) {
      const before = await cpuOf(s.child);
      const { seconds } = await download(s.port);
      const cpuMs = (await cpuOf(s.child)) - before;
      s.samples.push({ mibps: SIZE / 1024 / 1024 / seconds, cpuMs });
      console.log(
        `round ${round + 1} ${s.name}: ${(SIZE / 1024 / 1024 / seconds).toFixed(0)} MiB/s, server CPU ${cpuMs.toFixed(0)} ms`,
      );
    }
  }
  console.log(`\n| server | MiB/s (median of ${ROUNDS}) | server CPU ms per ${values.mib} MiB download |`);
  console.log('|---|---:|---:|');
  for (const s of servers) {
    s.mibps = median(s.samples.map((x) => x.mibps));
    s.cpu = median(s.samples.map((x) => x.cpuMs));
    console.log(`| ${s.name} | ${s.mibps.toFixed(0)} | ${s.cpu.toFixed(0)} |`);
  }
  const [node, pagi] = servers;
  console.log(`\nratio file/node-stream ${(pagi.mibps / node.mibps).toFixed(2)}`);
  console.log(`cpu-efficiency file/node-stream ${(node.cpu / pagi.cpu).toFixed(2)}`);
} finally {
  for (const s of servers) if (s.child) await stopChild(s.child);
  await rm(dir, { recursive: true, force: true });
}
