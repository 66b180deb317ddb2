import { PagiValidationError } from '@pagi/spec';
import {
  type Decision,
  type Policy,
  refill,
  slidingWindowDecision,
  tokenBucketDecision,
} from './decision.js';
import type { RateLimitStore } from './store.js';

export interface MemoryStoreOptions {
  /**
   * The most keys kept. Above it the least recently hit key is forgotten (that client starts
   * again with a full quota): memory stays bounded however many addresses a client forges.
   * Default 10000.
   */
  maxKeys?: number;
  /** The clock, in ms; only for tests. Default a monotonic clock (`performance.now()`). */
  now?: () => number;
}

/** One key's counters: token bucket `a` = tokens, `b` = last refill; sliding window `a` = previous, `b` = current, `c` = window start. */
interface Entry {
  a: number;
  b: number;
  c: number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['maxKeys', 'now']);

/**
 * An in-process store: counters in a `Map` bounded by `maxKeys` (least recently hit evicted).
 * Every `rateLimit()` without a `store` gets its own; share one between limiters only on purpose.
 * Not shared between processes or workers: use the Redis store for that.
 *
 * @throws PagiValidationError for an unknown option or a `maxKeys` that is not an integer ≥ 1.
 */
export function memoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`memoryStore(): unknown option '${key}'`);
  }
  const maxKeys = options.maxKeys ?? 10_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
    throw new PagiValidationError(`memoryStore(): expected maxKeys to be an integer ≥ 1, got ${maxKeys}`);
  }
  const now = options.now ?? (() => performance.now());
  if (typeof now !== 'function')
    throw new PagiValidationError('memoryStore(): expected now to be a function');
  // A Map iterates in insertion order; re-inserting on each hit makes the first key the least recently hit.
  const entries = new Map<string, Entry>();

  const take = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined) entries.delete(key);
    return entry;
  };
  const keep = (key: string, entry: Entry): void => {
    entries.set(key, entry);
    if (entries.size > maxKeys) entries.delete(entries.keys().next().value as string);
  };

  return {
    hit(key: string, policy: Policy): Decision {
      const t = now();
      let entry = take(key);
      if (policy.algorithm === 'token-bucket') {
        entry ??= { a: policy.limit, b: t, c: 0 };
        let tokens = refill(entry.a, entry.b, t, policy);
        const allowed = tokens >= 1;
        if (allowed) tokens -= 1;
        entry.a = tokens;
        entry.b = Math.max(entry.b, t);
        keep(key, entry);
        return tokenBucketDecision(allowed, tokens, policy);
      }
      const { windowMs, limit } = policy;
      const start = Math.floor(t / windowMs) * windowMs;
      if (entry === undefined) entry = { a: 0, b: 0, c: start };
      else if (entry.c === start - windowMs) entry = { a: entry.b, b: 0, c: start };
      else if (entry.c < start) entry = { a: 0, b: 0, c: start };
      const elapsed = Math.max(0, t - entry.c);
      const allowed = (entry.a * (windowMs - elapsed)) / windowMs + entry.b + 1 <= limit;
      if (allowed) entry.b += 1;
      keep(key, entry);
      return slidingWindowDecision(allowed, entry.a, entry.b, elapsed, policy);
    },
  };
}
