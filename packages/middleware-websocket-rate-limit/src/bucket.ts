/**
 * A token bucket for one connection: `capacity` tokens, refilled at `perMs` tokens per
 * millisecond on a monotonic clock. `take(n)` may run the bucket into debt: a message larger than
 * the whole bucket still gets through when the bucket is full (upstream could never let it
 * through: toolkit-parity §1, WebSocket::RateLimit) and then the debt is paid back before the next.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;
  readonly #capacity: number;
  readonly #perMs: number;

  constructor(capacity: number, perSecond: number, now: number) {
    this.#capacity = capacity;
    this.#perMs = perSecond / 1000;
    this.#tokens = capacity;
    this.#at = now;
  }

  /** Takes `n` tokens if there are `min(n, capacity)` now; false (nothing taken) otherwise. */
  take(n: number, now: number): boolean {
    if (now > this.#at) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#perMs);
      this.#at = now;
    }
    if (this.#tokens < Math.min(n, this.#capacity)) return false;
    this.#tokens -= n;
    return true;
  }

  /** Gives back `n` tokens (a message the other bucket refused is not counted here). */
  refund(n: number): void {
    this.#tokens = Math.min(this.#capacity, this.#tokens + n);
  }
}
