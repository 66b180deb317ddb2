/**
 * Tracks the last heartbeat of every worker and reports the ones silent for longer than the
 * timeout. A heartbeat is sent from a timer on the worker's event loop, so silence means the loop
 * is blocked (a stuck worker), not that requests are slow (server-parity.md §1.9).
 *
 * @example
 * const monitor = new HeartbeatMonitor(50_000, (id) => killAndReplace(id));
 * monitor.start(); monitor.beat(worker.id);
 */
export class HeartbeatMonitor {
  readonly #timeout: number;
  readonly #onStale: (id: number) => void;
  readonly #now: () => number;
  readonly #lastSeen = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(timeout: number, onStale: (id: number) => void, now: () => number = Date.now) {
    this.#timeout = timeout;
    this.#onStale = onStale;
    this.#now = now;
  }

  /** Starts watching; checks four times per timeout. Does nothing when the timeout is 0 (off). */
  start(): void {
    if (this.#timeout <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.check(), Math.max(10, Math.floor(this.#timeout / 4)));
    this.#timer.unref();
  }

  /** Stops watching (shutdown must not race with heartbeat kills: §5.5 item 8). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#lastSeen.clear();
  }

  beat(id: number): void {
    this.#lastSeen.set(id, this.#now());
  }

  forget(id: number): void {
    this.#lastSeen.delete(id);
  }

  /** Reports (once) every worker silent for more than the timeout. */
  check(): void {
    const now = this.#now();
    for (const [id, seen] of this.#lastSeen) {
      if (now - seen > this.#timeout) {
        this.#lastSeen.delete(id);
        this.#onStale(id);
      }
    }
  }
}

/** Worker side: beats five times per timeout on an unref'd timer. Returns a stop function. */
export function startHeartbeat(timeout: number, send: () => void): () => void {
  if (timeout <= 0) return () => {};
  send();
  const timer = setInterval(send, Math.max(5, Math.floor(timeout / 5)));
  timer.unref();
  return () => clearInterval(timer);
}
