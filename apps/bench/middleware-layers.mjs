#!/usr/bin/env node
// Instructions per call of the hello world behind each middleware alone, in process (layer-loop.mjs).
//   node apps/bench/middleware-layers.mjs [bare noop request-id ... stack] [--n 20000]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countLoop } from './callgrind.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const nIndex = args.indexOf('--n');
const N = nIndex === -1 ? 20000 : Number(args.splice(nIndex, 2)[1]);
const names =
  args.length > 0
    ? args
    : ['bare', 'noop', 'request-id', 'access-log', 'security-headers', 'etag', 'compress', 'stack'];

const count = (name) => countLoop(name, [join(here, 'layer-loop.mjs'), name, String(N * 2)], N);
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
