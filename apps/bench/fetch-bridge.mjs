#!/usr/bin/env node
// Instructions per call of the Hono hello world through fromFetchHandler, in process
// (fetch-bridge-loop.mjs): the bridge's own cost, without sockets or the server.
//   node apps/bench/fetch-bridge.mjs [bare hono-plain bridge bridge-body default] [--n 20000]
// Bytes allocated per call: node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 \
//   apps/bench/fetch-bridge-loop.mjs <variant> --alloc
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countLoops } from './callgrind.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const nIndex = args.indexOf('--n');
const N = nIndex === -1 ? 20000 : Number(args.splice(nIndex, 2)[1]);
const names = args.length > 0 ? args : ['bare', 'hono-plain', 'bridge', 'bridge-body', 'default'];

const results = await countLoops(
  names,
  (name) => [join(here, 'fetch-bridge-loop.mjs'), name, String(N * 2)],
  N,
);
for (const n of names) {
  const extra =
    results.bare === undefined ? '' : `  +${Math.round(results[n] - results.bare).toLocaleString('en-US')}`;
  console.log(`${n.padEnd(18)} ${Math.round(results[n]).toLocaleString('en-US').padStart(9)}${extra}`);
}
