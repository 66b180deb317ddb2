#!/usr/bin/env node
// Instructions per call of the Hono hello world through fromFetchHandler, in process
// (fetch-bridge-loop.mjs): the bridge's own cost, without sockets or the server.
//   node apps/bench/fetch-bridge.mjs [bare hono-plain bridge bridge-body] [--n 20000]
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const nIndex = args.indexOf('--n');
const N = nIndex === -1 ? 20000 : Number(args.splice(nIndex, 2)[1]);
const names = args.length > 0 ? args : ['bare', 'hono-plain', 'bridge', 'bridge-body'];

async function count(name) {
  const out = mkdtempSync(join(tmpdir(), 'pagi-fetch-'));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${join(out, 'cg.out')}`,
      '--smc-check=all-non-file',
      ...(process.env.CG_EXTRA ? process.env.CG_EXTRA.split(' ') : []),
      process.execPath,
      ...(process.env.NODE_EXTRA ? process.env.NODE_EXTRA.split(' ') : []),
      join(here, 'fetch-bridge-loop.mjs'),
      name,
      String(N * 2),
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  const wait = (word) =>
    new Promise((resolve) => {
      const on = (d) => {
        if (String(d).includes(word)) {
          child.stdout.off('data', on);
          resolve();
        }
      };
      child.stdout.on('data', on);
    });
  await wait('ready');
  const control = (flag) => run('callgrind_control', [flag, String(child.pid)]);
  await control('-z');
  child.stdin.write(`${N}\n`);
  await wait('done');
  await control('-z');
  child.stdin.write(`${N}\n`);
  await wait('done');
  await control('-d');
  const dump = readdirSync(out).find((f) => f !== 'cg.out');
  const text = readFileSync(join(out, dump), 'utf8');
  if (process.env.KEEP) {
    writeFileSync(`${process.env.KEEP}/${name}.cg`, text);
    console.error(
      `kept ${name}.cg (pid ${child.pid}: /tmp/perf-${child.pid}.map with NODE_EXTRA=--perf-basic-prof)`,
    );
  }
  child.kill('SIGTERM');
  rmSync(out, { recursive: true, force: true });
  return Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]) / N;
}
const results = {};
for (let i = 0; i < names.length; i += 2) {
  const pair = names.slice(i, i + 2);
  const r = await Promise.all(pair.map(count));
  pair.forEach((n, k) => {
    results[n] = r[k];
  });
}
for (const n of names) {
  const extra =
    results.bare === undefined ? '' : `  +${Math.round(results[n] - results.bare).toLocaleString('en-US')}`;
  console.log(`${n.padEnd(18)} ${Math.round(results[n]).toLocaleString('en-US').padStart(9)}${extra}`);
}
