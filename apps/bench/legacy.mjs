#!/usr/bin/env node
/**
 * @pagi/wrap-legacy against the frameworks' own servers, by user-space instructions per request
 * under callgrind (the method of instructions.mjs, shared through callgrind.mjs):
 *
 * - the same Express 5 hello world on `app.listen()` and on @pagi/server via fromNodeHandler;
 * - the same Hono hello world on @hono/node-server and on @pagi/server via fromFetchHandler.
 *
 * Prints instructions per request and `ratio wrapped-express/express <x>`,
 * `ratio wrapped-hono/hono-node <x>` (fromFetchHandler as documented: its default lightweight
 * global Response) and `ratio wrapped-hono-native/hono-node <x>` (`overrideGlobalResponse:
 * false`, the real Response) (native count / wrapped count: 1.0 = as cheap, higher is better).
 * Needs valgrind and built packages (spec, server, wrap-legacy).
 *
 *   node apps/bench/legacy.mjs [--warmup 10000] [--requests 5000]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countPerUnit } from './callgrind.mjs';
import { hasCommand } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const SERVERS = [
  { name: 'express', args: [join(here, 'servers/express.mjs')], load: 'http' },
  { name: 'wrapped-express', args: [join(here, 'servers/pagi-express.mjs')], load: 'http' },
  { name: 'hono-node', args: [join(here, 'servers/hono-node.mjs')], load: 'http' },
  { name: 'wrapped-hono', args: [join(here, 'servers/pagi-hono.mjs')], load: 'http' },
  { name: 'wrapped-hono-native', args: [join(here, 'servers/pagi-hono-native.mjs')], load: 'http' },
];

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '5000' },
    // Counted windows per server; the median is its figure (callgrind.mjs countWindows).
    windows: { type: 'string', default: '3' },
  },
});
if (!hasCommand('valgrind') || !hasCommand('callgrind_control')) {
  console.error('legacy.mjs needs valgrind (apt install valgrind); skipped');
  process.exit(0);
}
const opts = {
  warmup: Number(values.warmup),
  requests: Number(values.requests),
  windows: Number(values.windows),
};
const counts = {};
// Two at a time, each native server next to its wrapped twin.
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
console.log(`ratio wrapped-express/express ${(counts.express / counts['wrapped-express']).toFixed(3)}`);
console.log(`ratio wrapped-hono/hono-node ${(counts['hono-node'] / counts['wrapped-hono']).toFixed(3)}`);
console.log(
  `ratio wrapped-hono-native/hono-node ${(counts['hono-node'] / counts['wrapped-hono-native']).toFixed(3)}`,
);
