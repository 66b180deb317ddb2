import { SETTLED, type TransportState } from '@pagi/spec';

/** The part of a writable the transport view reads: its queue and its `drain`/`close` events. */
export interface MeasuredSource {
  readonly writableLength: number;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

const RESOLVED: Promise<void> = SETTLED; // @pagi/spec's shared one: a caller may skip awaiting it

function runAll(callbacks: Array<() => void> | undefined): void {
  if (callbacks === undefined) return;
  for (const cb of callbacks.slice()) {
    try {
      cb();
    } catch {
      // App callbacks must not stop the others or the writer (§3.9).
    }
  }
}

/**
 * `pagi.transport` (protocol.md §3.9) for long-lived sessions, as a class: an idle WebSocket or
 * SSE connection holds one small object and no closures (the `drain`/`close` listeners exist only
 * while the queue is above the high mark). Same semantics as the HTTP layer's transport state:
 * the state turns high when the queue reaches `high`, and back to low when `drain` finds it at or
 * below `low`; `on_high_water` / `on_drain` are edge-triggered, once per cycle. Call the methods
 * on the object (`transport.buffered_amount()`), not detached.
 *
 * @example
 * const transport = new WatermarkTransport(socket, 65536, 16384);
 * socket.write(chunk);
 * await transport.waitForRoom();
 */
export class WatermarkTransport implements TransportState {
  private isHigh = false;
  private disposed = false;
  private highCallbacks: Array<() => void> | undefined;
  private drainCallbacks: Array<() => void> | undefined;
  private waiters: Array<() => void> | undefined;
  private onDrain: (() => void) | undefined;
  private onClose: (() => void) | undefined;

  constructor(
    private readonly source: MeasuredSource,
    private readonly high: number,
    private readonly low: number,
  ) {}

  buffered_amount(): number {
    return this.disposed ? 0 : this.source.writableLength;
  }

  high_water_mark(): number {
    return this.high;
  }

  low_water_mark(): number {
    return this.low;
  }

  on_high_water(cb: () => void): void {
    (this.highCallbacks ??= []).push(cb);
    // Fires at once when already at or above the mark (§3.9), without re-firing the others.
    if (this.isHigh) {
      try {
        cb();
      } catch {}
    } else this.check();
  }

  on_drain(cb: () => void): void {
    (this.drainCallbacks ??= []).push(cb);
  }

  /** Resolves at once (a shared promise) below the high mark, else once the queue drains or closes. */
  waitForRoom(): Promise<void> {
    this.check();
    if (!this.isHigh || this.disposed) return RESOLVED;
    return new Promise<void>((resolve) => {
      (this.waiters ??= []).push(resolve);
    });
  }

  /**
   * The source moved data on without a `drain` (ws's write callback for a compressed frame):
   * release the waiters if the queue is now at or below the low mark. A no-op below the high mark.
   */
  recheck(): void {
    this.release();
  }

  /** Releases every waiter and forgets the callbacks; the writable is gone. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.release();
    this.highCallbacks = this.drainCallbacks = undefined;
  }

  private check(): void {
    if (this.isHigh || this.disposed || this.high <= 0) return;
    if (this.source.writableLength < this.high) return;
    this.isHigh = true;
    this.onDrain ??= () => this.release();
    this.onClose ??= () => this.dispose();
    this.source.on('drain', this.onDrain);
    this.source.on('close', this.onClose);
    runAll(this.highCallbacks);
  }

  private release(): void {
    if (!this.isHigh) return;
    // Node reports the fall through 'drain' (queue empty), which always satisfies "≤ low"; a
    // recheck() from a write callback may find the queue still above it, and waits for the next.
    if (!this.disposed && this.source.writableLength > this.low) return;
    this.isHigh = false;
    this.source.off('drain', this.onDrain!);
    this.source.off('close', this.onClose!);
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
    if (!this.disposed) runAll(this.drainCallbacks);
  }
}
