#!/usr/bin/env node
/**
 * Instructions per broadcast delivery under callgrind: the servers of `ws-broadcast.mjs` (the
 * bare `ws` loop and `@pagi/app-ws-broadcast` on the memory channel layer), each run under
 * `valgrind --tool=callgrind`, `--subscribers` raw clients connected once, then `--messages`
 * 32-byte text messages published by one of them (a window of 16 in flight) three times: warm-up,
 * a settling pass, and the counted pass between `callgrind_control -z` and `-d`. Reported:
 * user-space instructions per delivery (one message reaching one subscriber) and
 * `instructions-ratio pagi-broadcast/ws-broadcast` (ws ÷ pagi, so higher is better for pagi, as in
 * `ws-broadcast.mjs`). Counts do not depend on machine load, unlike the wall clock.
 *
 *   node ws-broadcast-instructions.mjs [--subscribers 200] [--messages 100]
 *   # --keep DIR keeps each server's callgrind dump there; with --perf-map the servers also run
 *   # with node's --perf-basic-prof, and /tmp/perf-<pid>.map names the JIT code in the dump
 *
 * Prerequisite: built packages (`npx tsup` in packages/spec, server, channels, app-ws-broadcast).
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startUnderCallgrind } from './callgrind.mjs';
import { rawWsClient, wsClientFrame } from './lib.mjs';

const run = promisify(execFile);
const BROADCAST = fileURLToPath(new URL('./ws-broadcast.mjs', import.meta.url));
const SIZE = 32;
const WINDOW = 16;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

/** Connects `n` raw clients; `publish(m)` sends m messages and resolves once all n × m arrived. */
async function subscribe(port, n) {
  const sockets = [];
  for (let i = 0; i < n; i += 50)
    sockets.push(
      ...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => rawWsClient(port)))),
    );
  let delivered = 0;
  let wake = () => {};
  for (const socket of sockets) {
    let pending = 0;
    socket.on('data', (chunk) => {
      pending += chunk.length;
      const frames = Math.floor(pending / (2 + SIZE));
      pending -= frames * (2 + SIZE);
      delivered += frames;
      wake();
    });
  }
  const frame = wsClientFrame(SIZE);
  return {
    sockets,
    async publish(m) {
      const base = delivered;
      let sent = 0;
      await new Promise((resolve) => {
        wake = () => {
          const done = delivered - base;
          while (sent < m && sent < Math.floor(done / n) + WINDOW) {
            sockets[0].write(frame);
            sent++;
          }
          if (done >= m * n) resolve();
        };
        wake();
      });
    },
  };
}

async function count(kind, subscribers, messages, keep) {
  const outDir = mkdtempSync(join(tmpdir(), 'pagi-cg-bc-'));
  const flags = process.argv.includes('--perf-map') ? ['--perf-basic-prof'] : [];
  const { child, port } = await startUnderCallgrind([...flags, BROADCAST, '--serve', kind], outDir);
  const control = (flag) => run('callgrind_control', [flag, String(child.pid)]);
  try {
    const clients = await subscribe(port, subscribers);
    await clients.publish(messages); // warm-up: JIT tiers
    await control('-z');
    await clients.publish(messages); // settles what the warm-up left behind; not counted
    await control('-z');
    await clients.publish(messages);
    await control('-d');
    const dump = readdirSync(outDir).find((f) => f !== 'cg.out');
    if (keep) copyFileSync(join(outDir, dump), join(keep, `callgrind.${kind}.${child.pid}.out`));
    const text = readFileSync(join(outDir, dump), 'utf8');
    for (const socket of clients.sockets) socket.destroy();
    return Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1]) / (subscribers * messages);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    rmSync(outDir, { recursive: true, force: true });
  }
}

const subscribers = Number(arg('subscribers', 200));
const messages = Number(arg('messages', 100));
const keep = arg('keep', undefined);
const result = {};
for (const kind of ['ws', 'pagi-memory']) {
  result[kind] = await count(kind, subscribers, messages, keep);
  console.log(`${kind.padEnd(12)} ${Math.round(result[kind]).toLocaleString('en-US')} instructions/delivery`);
}
console.log(
  `instructions-ratio pagi-broadcast/ws-broadcast ${(result.ws / result['pagi-memory']).toFixed(2)}`,
);
