/**
 * A FIFO that a producer pushes into and a consumer awaits; `end()` makes every later `next()`
 * resolve to undefined once the queued items are drained, `fail()` makes it reject.
 *
 * @example
 * const q = new AsyncQueue<number>();
 * q.push(1);
 * await q.next(); // 1
 */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: { resolve: (v: T | undefined) => void; reject: (e: unknown) => void }[] = [];
  private ended = false;
  private error: { error: unknown } | undefined;

  push(item: T): void {
    if (this.ended) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(undefined);
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.error = { error };
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  next(): Promise<T | undefined> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    if (this.error) return Promise.reject(this.error.error);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}
