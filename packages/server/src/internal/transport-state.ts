import { SETTLED, type TransportState } from '@pagi/spec';

/** The part of a writable stream the transport view needs (a `net.Socket`, a `ServerResponse`, …). */
export interface MeasuredWritable {
  readonly writableLength: number;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** `pagi.transport` plus the hooks the server calls; apps only see the {@link TransportState} part. */
export interface ServerTransportState extends TransportState {
  buffered_amount(): number;
  high_water_mark(): number;
  low_water_mark(): number;
  on_high_water(cb: () => void): void;
  on_drain(cb: () => void): void;
  /** Call after every write: fires `on_high_water` on the low → high edge. */
  afterWrite(): void;
  /**
   * Resolves once there is room again: at once (the shared resolved promise) while the queue is
   * below the high mark, otherwise after the queue drains or the writable closes.
   */
  waitForRoom(): Promise<void>;
  /** Releases waiters and drops callbacks; call when the writable is gone. */
  dispose(): void;
}

const RESOLVED: Promise<void> = SETTLED; // @pagi/spec's shared one: a caller may skip awaiting it

/**
 * Creates the outbound flow-control view of protocol.md §3.9 over one writable.
 *
 * Hysteresis: the state turns "high" when the queue reaches `high` (checked after each write and on
 * registration) and turns back to "low" when the queue falls to `low` or below. Node reports the
 * fall only through `'drain'` (queue empty), so the release is observed there, which always
 * satisfies "≤ low". `on_high_water` and `on_drain` are edge-triggered: each fires once per cycle.
 *
 * @example
 * const transport = createTransportState(socket, 65536, 16384);
 * socket.write(chunk);
 * transport.afterWrite();
 * await transport.waitForRoom();
 */
export function createTransportState(
  writable: MeasuredWritable,
  high: number,
  low: number,
): ServerTransportState {
  let isHigh = false;
  let listening = false;
  let disposed = false;
  let highCallbacks: Array<() => void> | undefined;
  let drainCallbacks: Array<() => void> | undefined;
  let waiters: Array<() => void> | undefined;

  const run = (list: Array<() => void> | undefined): void => {
    if (list === undefined) return;
    for (const cb of list.slice()) {
      try {
        cb();
      } catch {
        // A callback that throws must not stop the others or the writer (§3.9: callbacks are app code).
      }
    }
  };

  const release = (): void => {
    if (!isHigh) return;
    if (!disposed && writable.writableLength > low) return;
    isHigh = false;
    stopListening();
    const w = waiters;
    waiters = undefined;
    if (w !== undefined) for (const resolve of w) resolve();
    if (!disposed) run(drainCallbacks);
  };
  const onDrain = (): void => release();
  const onClose = (): void => state.dispose();

  function startListening(): void {
    if (listening || disposed) return;
    listening = true;
    writable.on('drain', onDrain);
    writable.on('close', onClose);
  }
  function stopListening(): void {
    if (!listening) return;
    listening = false;
    writable.off('drain', onDrain);
    writable.off('close', onClose);
  }

  const check = (): void => {
    if (isHigh || disposed || high <= 0) return;
    if (writable.writableLength >= high) {
      isHigh = true;
      startListening();
      run(highCallbacks);
    }
  };

  const state: ServerTransportState = {
    buffered_amount: () => (disposed ? 0 : writable.writableLength),
    high_water_mark: () => high,
    low_water_mark: () => low,
    on_high_water(cb) {
      (highCallbacks ??= []).push(cb);
      // Fires at once when already at or above the mark (§3.9), without re-firing the others.
      if (isHigh) {
        try {
          cb();
        } catch {}
      } else check();
    },
    on_drain(cb) {
      (drainCallbacks ??= []).push(cb);
    },
    afterWrite: check,
    waitForRoom() {
      check();
      if (!isHigh || disposed) return RESOLVED;
      return new Promise<void>((resolve) => {
        (waiters ??= []).push(resolve);
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      stopListening();
      isHigh = false;
      const w = waiters;
      waiters = undefined;
      if (w !== undefined) for (const resolve of w) resolve();
      highCallbacks = undefined;
      drainCallbacks = undefined;
    },
  };
  return state;
}
