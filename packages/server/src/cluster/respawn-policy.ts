/** Tuning of {@link RespawnPolicy}; the defaults suit production, tests shrink them. */
export interface RespawnPolicyOptions {
  /** First delay after a crash, ms. Default 100. */
  baseDelay?: number;
  /** Longest delay, ms. Default 10_000. */
  maxDelay?: number;
  /** A worker that lived this long resets the crash streak, ms. Default 30_000. */
  stableAfter?: number;
  /** Consecutive boot failures (no worker reached listening in between) before giving up. Default 5. */
  maxBootFailures?: number;
}

/** What to do after a worker died. */
export type RespawnDecision = { action: 'respawn'; delay: number } | { action: 'give-up'; failures: number };

/**
 * Decides how soon a dead worker is replaced. Crashes back off exponentially so a crash loop
 * cannot burn the CPU (server-parity.md §5.5 item 1); deaths before listening count as boot
 * failures, and a run of them stops the server (item 2: a master with no live worker must exit).
 *
 * @example
 * const policy = new RespawnPolicy();
 * policy.onExit({ booted: true, lifetime: 120_000 }); // { action: 'respawn', delay: 100 }
 */
export class RespawnPolicy {
  readonly #base: number;
  readonly #max: number;
  readonly #stableAfter: number;
  readonly #maxBootFailures: number;
  #crashStreak = 0;
  #bootFailures = 0;

  constructor(options: RespawnPolicyOptions = {}) {
    this.#base = options.baseDelay ?? 100;
    this.#max = options.maxDelay ?? 10_000;
    this.#stableAfter = options.stableAfter ?? 30_000;
    this.#maxBootFailures = options.maxBootFailures ?? 5;
  }

  /** A worker reported listening: the boot-failure streak ends. */
  onBooted(): void {
    this.#bootFailures = 0;
  }

  /** A worker died unexpectedly; `booted` says whether it ever reported listening. */
  onExit(death: { booted: boolean; lifetime: number }): RespawnDecision {
    if (!death.booted) {
      this.#bootFailures += 1;
      if (this.#bootFailures >= this.#maxBootFailures)
        return { action: 'give-up', failures: this.#bootFailures };
    }
    if (death.booted && death.lifetime >= this.#stableAfter) this.#crashStreak = 0;
    const delay = Math.min(this.#max, this.#base * 2 ** this.#crashStreak);
    this.#crashStreak += 1;
    return { action: 'respawn', delay };
  }
}
