#!/usr/bin/env node
/**
 * The cost of a typical middleware stack (request-id, access-log to a null logger,
 * security-headers, etag, compress) around the hello world on @pagi/server, against the bare
 * hello world in the same run, by user-space instructions per request under callgrind (the method
 * of instructions.mjs, shared through callgrind.mjs). The client sends no Accept-Encoding by
 * default, so compress negotiates and sends identity; `--browser` sends the 12 browser headers
 * (gzip/br accepted: the 13-byte body stays under compress's threshold, etag still hashes it).
 *
 * Prints instructions per request and `ratio pagi-stack/pagi-bare <x>` (bare count / stack
 * count: 1.0 = the stack is free; target >= 0.75). `--layers` also counts the hello world behind
 * each middleware alone, to see which layer costs most; `--headers` counts the bare hello world
 * sending the stack's seven response headers itself (servers/pagi-stack-headers.mjs): the
 * server's and node's share of the stack's cost.
 *
 *   node apps/bench/middleware-stack.mjs [--warmup 10000] [--requests 5000] [--browser] [--layers] [--headers]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countPerUnit } from './callgrind.mjs';
import { hasCommand } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '5000' },
    // Counted windows per server; the median is its figure (callgrind.mjs countWindows).
    windows: { type: 'string', default: '3' },
    browser: { type: 'boolean', default: false },
    layers: { type: 'boolean', default: false },
    headers: { type: 'boolean', default: false },
  },
});
if (!hasCommand('valgrind') || !hasCommand('callgrind_control')) {
  console.error('middleware-stack.mjs needs valgrind (apt install valgrind); skipped');
  process.exit(0);
}
const load = values.browser ? 'http12' : 'http';
const SERVERS = [
  { name: 'pagi-bare', args: [join(here, 'servers/pagi.mjs')], load },
  { name: 'pagi-stack', args: [join(here, 'servers/pagi-stack.mjs')], load },
];
if (values.headers) {
  SERVERS.push({ name: 'stack-headers', args: [join(here, 'servers/pagi-stack-headers.mjs')], load });
}
if (values.layers) {
  for (const layer of ['request-id', 'access-log', 'security-headers', 'etag', 'compress']) {
    SERVERS.push({ name: layer, args: [join(here, 'servers/pagi-stack.mjs'), layer], load });
  }
}
const opts = {
  warmup: Number(values.warmup),
  requests: Number(values.requests),
  windows: Number(values.windows),
};
const counts = {};
// Two at a time: valgrind runs a process on one core; instruction counts ignore the other.
for (let i = 0; i < SERVERS.length; i += 2) {
  const pair = SERVERS.slice(i, i + 2);
  const results = await Promise.all(pair.map((s) => countPerUnit(s, opts)));
  pair.forEach((s, k) => {
    counts[s.name] = results[k];
    console.log(
      `${s.name.padEnd(18)} ${Math.round(results[k]).toLocaleString('en-US').padStart(9)} instructions/request`,
    );
  });
}
console.log(`ratio pagi-stack/pagi-bare ${(counts['pagi-bare'] / counts['pagi-stack']).toFixed(3)}`);
for (const s of SERVERS.slice(2)) {
  const extra = counts[s.name] - counts['pagi-bare'];
  console.log(
    `layer ${s.name.padEnd(17)} +${Math.round(extra).toLocaleString('en-US')} instructions/request`,
  );
}
