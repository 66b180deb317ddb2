#!/usr/bin/env node
/**
 * @pagi/app-proxy in front of a backend against direct requests to that backend, the same load
 * script for both: `ratio proxied/direct <x>` is (req/s through the proxy) / (req/s straight to
 * the backend), median of interleaved rounds. Two bodies: the 13-byte hello (per-request cost of
 * the extra hop) and 1 MiB (streaming throughput). The backend is bare node:http on core 0, the
 * proxy (@pagi/server + proxy(), built dist) on core 1, the load generator (wrk, else autocannon)
 * unpinned. A perfect proxy would still do about twice the backend's HTTP work per request, so
 * ~0.5 on the hello body is the ceiling for any proxy sharing these two cores. A third server,
 * `undici-floor` (servers/undici-proxy.mjs: bare node:http forwarding with undici, no header
 * handling), runs on core 1 in the same rounds: `ratio pagi/undici-floor` is what this package
 * costs over the least an undici proxy does.
 *
 *   node apps/bench/proxy.mjs [--rounds 3] [--duration 5] [--connections 50] [--warmup 2]
 * Build first: for p in spec server app-proxy; do (cd packages/$p && npx tsup); done
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadHttp, loadOptions, median, startChild, stopChild } from './lib.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const opts = loadOptions();

const backend = await startChild(here('./servers/proxy-backend.mjs'), 0);
process.env.PROXY_BENCH_TARGET = `http://127.0.0.1:${backend.port}`;
const front = await startChild(here('./servers/pagi-proxy.mjs'), 1);
const floor = await startChild(here('./servers/undici-proxy.mjs'), 1);

/** The child's CPU time (ms, all threads) and its main thread's run-queue wait (ms; 0 without /proc). */
function cpuOf(child) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (!m?.cpu) return;
      child.off('message', onMessage);
      let wait = 0;
      try {
        wait = Number(readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
      } catch {}
      resolve({ cpu: (m.cpu.user + m.cpu.system) / 1000, wait });
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

const direct = `http://127.0.0.1:${backend.port}`;
const proxied = `http://127.0.0.1:${front.port}`;
const bare = `http://127.0.0.1:${floor.port}`;
try {
  // Check both answer the same before timing anything.
  for (const path of ['/', '/big']) {
    const [a, b, c] = await Promise.all([fetch(direct + path), fetch(proxied + path), fetch(bare + path)]);
    const [ta, tb, tc] = await Promise.all([a.text(), b.text(), c.text()]);
    if (b.status !== 200 || ta !== tb || c.status !== 200 || ta !== tc)
      throw new Error(`${path}: proxied answer differs`);
  }
  for (const [label, path] of [
    ['hello (13 B)', '/'],
    ['1 MiB body', '/big'],
  ]) {
    // req/s, plus the proxy's CPU µs per request and the share of the time it sat runnable
    // waiting for a core (a starved proxy is not an idle one: this machine's cores are shared).
    const load = async (url, server) => {
      const before = server && (await cpuOf(server.child));
      const t0 = performance.now();
      const result = await loadHttp(url + path, { seconds: opts.duration, connections: opts.connections });
      if (!server) return result;
      const after = await cpuOf(server.child);
      const wall = performance.now() - t0;
      return {
        ...result,
        usPerReq: ((after.cpu - before.cpu) * 1000) / result.requests,
        waiting: (after.wait - before.wait) / wall,
      };
    };
    await loadHttp(direct + path, { seconds: opts.warmup, connections: opts.connections });
    await loadHttp(proxied + path, { seconds: opts.warmup, connections: opts.connections });
    await loadHttp(bare + path, { seconds: opts.warmup, connections: opts.connections });
    const d = [];
    const p = [];
    const f = [];
    const pc = [];
    const fc = [];
    for (let r = 0; r < opts.rounds; r++) {
      d.push((await load(direct)).rps);
      const pr = await load(proxied, front);
      const fr = await load(bare, floor);
      p.push(pr.rps);
      f.push(fr.rps);
      pc.push(pr.usPerReq);
      fc.push(fr.usPerReq);
      console.log(
        `${label} round ${r + 1}: direct ${d.at(-1).toFixed(0)}, proxied ${pr.rps.toFixed(0)}, undici-floor ${fr.rps.toFixed(0)} req/s; ` +
          `CPU µs/req pagi ${pr.usPerReq.toFixed(1)}, floor ${fr.usPerReq.toFixed(1)}; ` +
          `waiting for a core pagi ${Math.round(pr.waiting * 100)} %, floor ${Math.round(fr.waiting * 100)} %`,
      );
    }
    const [md, mp, mf] = [median(d), median(p), median(f)];
    console.log(
      `${label}: direct ${md.toFixed(0)} req/s, proxied ${mp.toFixed(0)} req/s, undici-floor ${mf.toFixed(0)} req/s`,
    );
    console.log(`${label}: ratio proxied/direct ${(mp / md).toFixed(2)}`);
    console.log(
      `${label}: ratio pagi/undici-floor ${(mp / mf).toFixed(2)} (wall clock), ` +
        `${(median(fc) / median(pc)).toFixed(2)} (per proxy CPU-second)`,
    );
  }
} finally {
  await stopChild(front.child);
  await stopChild(floor.child);
  await stopChild(backend.child);
}
