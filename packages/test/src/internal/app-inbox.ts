import { type Deferred, createDeferred } from './deferred.js';

/**
 * The app's side of `receive()` for WebSocket, SSE and lifespan: events the client produced wait
 * here in order; once `terminate()` is called, and everything queued was read, every further read
 * yields the terminal event again (protocol.md §4.2.7 [TS], D-7 spirit). Pair with
 * `sharedReceive` for D-15.
 */
export class AppInbox<E> {
  private readonly items: E[] = [];
  private waiter: Deferred<void> | undefined;
  private terminal: E | undefined;

  get terminated(): boolean {
    return this.terminal !== undefined;
  }

  push(event: E): void {
    if (this.terminal !== undefined) return;
    this.items.push(event);
    this.wake();
  }

  /** Sets the terminal event; the first call wins. */
  terminate(event: E): void {
    if (this.terminal !== undefined) return;
    this.terminal = event;
    this.wake();
  }

  async take(): Promise<E> {
    while (true) {
      const item = this.items.shift();
      if (item !== undefined) return item;
      if (this.terminal !== undefined) return this.terminal;
      this.waiter ??= createDeferred<void>();
      await this.waiter.promise;
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }
}
