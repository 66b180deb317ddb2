import type { Decision, Policy } from './decision.js';

/**
 * Where a limiter keeps its counters. `hit` counts one hit on `key` under `policy` and must be
 * atomic: two concurrent hits on one key never both take the last token. A store shared by
 * several limiters (or processes) keeps them apart by the keys the limiters pass, which start with
 * each limiter's `name`.
 */
export interface RateLimitStore {
  hit(key: string, policy: Policy): Decision | Promise<Decision>;
}
