/**
 * The clock of the Apache-format lines, ticking once per second. Common and Combined Log Format
 * lines name the second only, so an unref'd timer reads `Date.now()` at each second and has
 * `clfTime` make that second's text; a line reads a variable. A `Date` object per line cost
 * ~0.8k instructions, a clock read ~0.3k; a busy log writes many lines per second.
 *
 * Why a ticking timer rather than a cache that the first line of each second refills: that
 * refill is a branch taken once a second inside the per-request code, so V8 optimizes the
 * per-request code before the branch has type feedback, and deoptimizes it (then recompiles it)
 * when a second changes. The timer runs unref'd (it never keeps the process alive), starts with
 * the first Apache-format `accessLog()` and wakes the process once a second. A line written while
 * the event loop is late to the timer (blocked past the second) names the previous second, as
 * node's cached `Date` response header does.
 */
import { clfTime } from '@pagi/spec';

let now = 0;
let started = false;

function tick(): void {
  now = Date.now();
  clfTime(now); // this second's text, made here rather than by the first line of the second
  setTimeout(tick, 1000 - (now % 1000)).unref();
}

/** Starts the clock (once per process): called when an Apache-format `accessLog()` is made. */
export function startSecondClock(): void {
  if (started) return;
  started = true;
  tick();
}

/** Epoch milliseconds of the current second, as of the last tick. */
export function secondClock(): number {
  return now;
}
