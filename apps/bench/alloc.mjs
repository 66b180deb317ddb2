// Bytes allocated per call of an in-process loop: the heap's growth over `n` calls, after a
// warm-up, with no scavenge in between (checked; run node with `--min-semi-space-size=64 --max-semi-space-size=64` so the
// new space holds the whole window). Used by the `--alloc` mode of fetch-bridge-loop.mjs.
import { PerformanceObserver } from 'node:perf_hooks';

export async function allocPerCall(call, { warm = 20000, n = 2000, rounds = 5 } = {}) {
  for (let i = 0; i < warm; i++) await call();
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  const results = [];
  for (let r = 0; r < rounds; r++) {
    globalThis.gc?.();
    // GC entries reach the observer later: let the collection above be counted first.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = gcs;
    const start = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) await call();
    const used = process.memoryUsage().heapUsed - start;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (gcs === before) results.push(used / n);
  }
  observer.disconnect();
  if (results.length === 0) throw new Error('a GC ran in every window: raise --max-semi-space-size');
  return Math.min(...results);
}
