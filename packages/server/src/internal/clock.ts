import { performance } from 'node:perf_hooks';

/**
 * `performance.now()` through the module's binding, not the global: `globalThis.performance` is
 * an accessor (node defines it lazily), so every read of the global runs a getter, a measurable
 * share of a per-request clock read on the hello-world path (callgrind, issue 12).
 */
export function now(): number {
  return performance.now();
}
