#!/usr/bin/env node
// Instructions per call of the hello world behind each middleware alone, in process (layer-loop.mjs).
//   node apps/bench/middleware-layers.mjs [bare noop request-id ... stack] [--n 20000]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countLoops } from './callgrind.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const nIndex = args.indexOf('--n');
const N = nIndex === -1 ? 20000 : Number(args.splice(nIndex, 2)[1]);
const names =
  args.length > 0
    ? args
    : ['bare', 'noop', 'request-id', 'access-log', 'security-headers', 'etag', 'compress', 'stack'];

const results = await countLoops(names, (name) => [join(here, 'layer-loop.mjs'), name, String(N * 2)], N);
for (const n of names) {
  const extra =
    results.bare === undefined ? '' : `  +${Math.round(results[n] - results.bare).toLocaleString('en-US')}`;
  console.log(`${n.padEnd(18)} ${Math.round(results[n]).toLocaleString('en-US').padStart(9)}${extra}`);
}
