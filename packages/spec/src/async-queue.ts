import { PagiStateError } from './errors.js';

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A FIFO that a producer pushes into and a consumer awaits: items the app produced (response
 * chunks, WebSocket messages, SSE events) wait here until a client reads them. A read may be
 * bounded by a timeout; a read that timed out leaves the waiter list, so it can never swallow a
 * later item. `end()` lets readers drain what is buffered and then see `done`; `fail()` makes
 * them get the error instead.
 *
 * @example
 * const q = new AsyncQueue<number>();
 * q.push(1);
 * await q.next(); // { done: false, value: 1 }
 * q.end();
 * await q.next(); // { done: true, value: undefined }
 */
export class AsyncQueue<T> {
  private readonly timeoutError: (what: string, timeoutMs: number) => unknown;
  private readonly items: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;

  /** `options.timeoutError` makes the error a timed-out `next()` rejects with. */
  constructor(options: { timeoutError?: (what: string, timeoutMs: number) => unknown } = {}) {
    this.timeoutError =
      options.timeoutError ??
      ((what, timeoutMs) => new PagiStateError(`timed out after ${timeoutMs} ms waiting for ${what}`));
  }

  /** true once `end()` or `fail()` was called. */
  get closed(): boolean {
    return this.ended || this.failure !== undefined;
  }

  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      if (waiter.timer !== undefined) clearTimeout(waiter.timer);
      waiter.resolve({ done: false, value: item });
    } else {
      this.items.push(item);
    }
  }

  /** No more items: readers drain what is buffered, then see `done`. */
  end(): void {
    if (this.closed) return;
    this.ended = true;
    this.flushWaiters();
  }

  /** Readers drain what is buffered, then get `error`. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.flushWaiters();
  }

  /** Items not yet read, without consuming them. */
  peekAll(): readonly T[] {
    return this.items;
  }

  /**
   * The next item. With `timeoutMs`, rejects with the queue's timeout error (naming `what`) when
   * nothing came in time; without it, waits as long as it takes.
   */
  next(timeoutMs?: number, what = 'an item'): Promise<IteratorResult<T, undefined>> {
    if (this.items.length > 0) return Promise.resolve({ done: false, value: this.items.shift() as T });
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i !== -1) this.waiters.splice(i, 1);
          reject(this.timeoutError(what, timeoutMs));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  private flushWaiters(): void {
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.timer !== undefined) clearTimeout(waiter.timer);
      if (this.failure) waiter.reject(this.failure.error);
      else waiter.resolve({ done: true, value: undefined });
    }
  }
}
