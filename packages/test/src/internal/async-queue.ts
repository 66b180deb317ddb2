import { TestTimeoutError } from '../errors.js';

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The client side of a conversation: items the app produced (response chunks, WebSocket messages,
 * SSE events) wait here until the test reads them. Reads are bounded by a timeout, and a read that
 * timed out is removed from the waiter list so it can never swallow a later item.
 */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;

  /** true once `end()` or `fail()` was called. */
  get closed(): boolean {
    return this.ended || this.failure !== undefined;
  }

  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
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

  next(timeoutMs: number, what: string): Promise<IteratorResult<T, undefined>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ done: false, value: item });
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i !== -1) this.waiters.splice(i, 1);
          reject(new TestTimeoutError(what, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private flushWaiters(): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      if (this.failure) waiter.reject(this.failure.error);
      else waiter.resolve({ done: true, value: undefined });
    }
  }
}
