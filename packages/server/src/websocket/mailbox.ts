/**
 * The inbound side of a long-lived session: a FIFO of events, a terminal event that is repeated
 * forever once reached, and D-15 (a `receive()` made while an earlier one is still pending gets
 * that same promise, so `Promise.race([receive(), timeout])` never loses an event).
 * Shared by the WebSocket and SSE sessions.
 *
 * @example
 * const box = new Mailbox<string>();
 * box.push('a');
 * box.finish('end');
 * await box.receive(); // 'a'
 * await box.receive(); // 'end', and again on every later call
 */
export class Mailbox<T> {
  /** Allocated on the first queued event: an idle session whose app is waiting has none. */
  private items: T[] | undefined;
  private head = 0;
  private terminal: T | undefined;
  private pending: Promise<T> | undefined;
  private resolvePending: ((value: T) => void) | undefined;

  /** Events waiting for the app, not counting the terminal one. */
  get size(): number {
    return this.items === undefined ? 0 : this.items.length - this.head;
  }

  /** true once the terminal event was set. */
  get finished(): boolean {
    return this.terminal !== undefined;
  }

  /** Queues one event (ignored once the mailbox is finished). */
  push(item: T): void {
    if (this.terminal !== undefined) return;
    const resolve = this.resolvePending;
    if (resolve !== undefined) {
      this.pending = this.resolvePending = undefined;
      resolve(item);
      return;
    }
    (this.items ??= []).push(item);
  }

  /** Sets the event every `receive()` yields after the queue drains; the first call wins. */
  finish(item: T): void {
    if (this.terminal !== undefined) return;
    this.terminal = item;
    const resolve = this.resolvePending;
    if (resolve !== undefined) {
      this.pending = this.resolvePending = undefined;
      resolve(item);
    }
  }

  /** Drops queued events (used when the session is torn down and nobody will read them). */
  clear(): void {
    this.items = undefined;
    this.head = 0;
  }

  /** The next event; queued events come first, then the terminal one, repeated. */
  receive(): Promise<T> {
    const items = this.items;
    if (items !== undefined && this.head < items.length) {
      const item = items[this.head]!;
      items[this.head] = undefined as T;
      this.head++;
      // Compact now and then so a long-lived session does not keep a growing array.
      if (this.head === items.length) {
        this.items = undefined;
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > items.length) {
        this.items = items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve(item);
    }
    if (this.terminal !== undefined) return Promise.resolve(this.terminal);
    if (this.pending === undefined) {
      this.pending = new Promise<T>((resolve) => {
        this.resolvePending = resolve;
      });
    }
    return this.pending;
  }
}
