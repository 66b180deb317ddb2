/**
 * What a store answers for one hit, and how the two algorithms turn their state into it. The
 * memory store and the Redis script update the state (each atomically in its own way); both
 * compute the answer with these functions, so headers mean the same whichever store is used.
 */

/** The algorithm a limiter uses. */
export type Algorithm = 'token-bucket' | 'sliding-window';

/** What a limiter asks a store: `limit` hits per `windowMs`, counted with `algorithm`. */
export interface Policy {
  readonly algorithm: Algorithm;
  /** Hits allowed per window (the bucket's capacity for the token bucket). ≥ 1. */
  readonly limit: number;
  /** The window, in milliseconds (the time the bucket takes to refill completely). ≥ 1. */
  readonly windowMs: number;
}

/** The answer to one hit. */
export interface Decision {
  /** true when the hit was counted and may proceed. */
  readonly allowed: boolean;
  /** The policy's limit (the `RateLimit-Limit` value). */
  readonly limit: number;
  /** Hits still allowed right now (the `RateLimit-Remaining` value), an integer ≥ 0. */
  readonly remaining: number;
  /** Milliseconds until the whole quota is available again (`RateLimit-Reset`, rounded up to seconds). */
  readonly resetMs: number;
  /** When denied: milliseconds until one hit would be allowed (`Retry-After`); 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Token bucket: the bucket holds up to `limit` tokens, refills at `limit / windowMs` tokens per
 * ms, and each allowed hit takes one. `tokens` is the level after this hit.
 */
export function tokenBucketDecision(allowed: boolean, tokens: number, policy: Policy): Decision {
  const perMs = policy.limit / policy.windowMs;
  return {
    allowed,
    limit: policy.limit,
    remaining: Math.max(0, Math.floor(tokens)),
    resetMs: Math.max(0, Math.ceil((policy.limit - tokens) / perMs)),
    retryAfterMs: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / perMs)),
  };
}

/** The token level at `now` for a bucket last seen at `at` with `tokens` (refilled, capped). */
export function refill(tokens: number, at: number, now: number, policy: Policy): number {
  if (now <= at) return tokens; // a clock that did not move (or a peer's slightly earlier clock)
  return Math.min(policy.limit, tokens + ((now - at) * policy.limit) / policy.windowMs);
}

/**
 * Sliding window (the weighted two-window counter): fixed windows of `windowMs`, and the count at
 * `elapsed` ms into the current one is `previous × (1 − elapsed/windowMs) + current` — the
 * previous window's hits are assumed evenly spread, so they fade out linearly. O(1) state per
 * key, where an exact log would need one entry per hit. `previous` and `current` are the counts
 * after this hit.
 */
export function slidingWindowDecision(
  allowed: boolean,
  previous: number,
  current: number,
  elapsed: number,
  policy: Policy,
): Decision {
  const { limit, windowMs } = policy;
  const left = windowMs - elapsed; // ms until the current window ends
  const count = (previous * left) / windowMs + current;
  let retryAfterMs = 0;
  if (!allowed) {
    if (current + 1 <= limit && previous > 0) {
      // The previous window's share must fade to limit − 1 − current within this window.
      const until = windowMs - (windowMs * (limit - 1 - current)) / previous;
      retryAfterMs = Math.max(1, Math.ceil(until - elapsed));
    } else {
      // Not in this window: in the next one, `current` becomes the fading share.
      retryAfterMs = Math.max(1, Math.ceil(left + windowMs * (1 - (limit - 1) / Math.max(current, 1))));
    }
  }
  return {
    allowed,
    limit,
    remaining: Math.max(0, Math.floor(limit - count)),
    // Every counted hit has faded once the next window ends (or this one, if only `previous` counts).
    resetMs: current > 0 ? Math.ceil(left + windowMs) : previous > 0 ? Math.ceil(left) : 0,
    retryAfterMs,
  };
}
