// HTTP/2 (h2c) hello world by user-space instructions per request under callgrind, which machine
// load does not change (the method of instructions.mjs): bare node:http2 (core stream API), its
// compatibility API, and @pagi/server --http2, each driven by h2load with a fixed request count
// (10 connections x 10 streams). The load-independent companion of http2.mjs.
// Usage: node apps/bench/http2-instructions.mjs [--requests 5000] [--warmup 10000] [--windows 3]
//   [--servers node-http2,pagi-h2] (a server may also be a path to an .mjs file: see below)
// Each server is counted in `--windows` windows of `--requests` requests in the same process, and
// the median window is its figure (every window and the mean are printed too). One window alone
// swung by 10-35k instructions per request when a mark-compact, a TurboFan compile or concurrent
// marking landed in it: in session 7 node-http2 read 98.6k and 121k in two runs (85k in session
// 6), with pagi-h2 at 96.8-97.4k in four. Such an event is rare for both servers
// and can land on either side (session 6 saw pagi-h2 move 6-9k); the median of windows counted the
// same way for both drops it, while a scavenge (several per window) stays in every window.
// Profiling: KEEP / CG_EXTRA / NODE_EXTRA as for instructions.mjs; KEEP keeps the median window.
// Build first: for p in spec server; do (cd packages/$p && npx tsup); done
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countWindows, median } from './callgrind.mjs';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '5000' },
    // 10,000 requests first, as instructions.mjs: with a shorter warm-up TurboFan compiles inside
    // the counted window (~40k instructions per request), which hid pagi-h2's gap in session 4.
    warmup: { type: 'string', default: '10000' },
    windows: { type: 'string', default: '3' },
    servers: { type: 'string', default: 'node-http2,node-http2-compat,pagi-h2' },
  },
});
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const windows = Math.max(1, Number(values.windows));
const here = fileURLToPath(new URL('.', import.meta.url));
const servers = [
  { name: 'node-http2', args: [`${here}servers/node-http2.mjs`], load: 'h2' },
  { name: 'node-http2-compat', args: [`${here}servers/node-http2-compat.mjs`], load: 'h2' },
  { name: 'pagi-h2', args: [`${here}servers/pagi-h2.mjs`], load: 'h2' },
].filter((s) => values.servers.split(',').includes(s.name));
// A name ending in .mjs is a server file of its own (e.g. a copy importing an older build), counted
// after the named ones: an A/B of two builds in one run.
for (const file of values.servers.split(',').filter((n) => n.endsWith('.mjs'))) {
  servers.push({ name: file.replace(/^.*\//, '').replace(/\.mjs$/, ''), args: [file], load: 'h2' });
}
const counts = {};
for (const server of servers) {
  const per = await countWindows(server, { warmup, requests, windows });
  counts[server.name] = median(per);
  const mean = per.reduce((x, y) => x + y, 0) / per.length;
  console.log(
    `${server.name.padEnd(20)} ${Math.round(counts[server.name]).toString().padStart(9)} instructions/request` +
      ` (median of ${per.length} windows: ${per.map((n) => Math.round(n)).join(', ')}; mean ${Math.round(mean)})`,
  );
}
for (const name of Object.keys(counts).filter((n) => n !== 'node-http2')) {
  if (counts[name] === undefined || counts['node-http2'] === undefined) continue;
  console.log(
    `ratio ${name}/node-http2 ${(counts['node-http2'] / counts[name]).toFixed(2)} (by instructions per request, median windows)`,
  );
}
