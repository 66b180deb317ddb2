import type { ConnectionState, DisconnectReason, TransportState } from '@pagi/spec';
import { createDeferred } from './deferred.js';

/**
 * `scope['pagi.connection']` for one in-process request (protocol.md §3.8). The test client drives
 * it through `markStarted`, `markResponseComplete`, `complete` and `abort`; the app only reads it.
 *
 * Invariants kept here: `is_connected` goes true → false once; exactly one of the `on_disconnect`
 * and `on_complete` callback lists ever runs; callbacks registered after the fact run at once.
 */
export class TestConnectionState implements ConnectionState {
  private connected = true;
  private reason: DisconnectReason | undefined;
  private started = false;
  private responseDone = false;
  private outcome: 'open' | 'completed' | 'aborted' = 'open';
  private readonly disconnectCallbacks: ((reason: DisconnectReason) => void)[] = [];
  private readonly completeCallbacks: (() => void)[] = [];
  private readonly future = createDeferred<DisconnectReason>();
  /** Errors thrown by app callbacks; the client reports them instead of crashing the process. */
  readonly callbackErrors: unknown[] = [];

  constructor() {
    // Never settles on the success path; keep an unobserved future from tripping anything.
    this.future.promise.catch(() => {});
  }

  is_connected(): boolean {
    return this.connected;
  }

  disconnect_reason(): DisconnectReason | undefined {
    return this.reason;
  }

  on_disconnect(cb: (reason: DisconnectReason) => void): void {
    if (this.outcome === 'aborted') this.run(() => cb(this.reason!));
    else if (this.outcome === 'open') this.disconnectCallbacks.push(cb);
  }

  response_started(): boolean {
    return this.started;
  }

  on_complete(cb: () => void): void {
    if (this.outcome === 'completed') this.run(cb);
    else if (this.outcome === 'open') this.completeCallbacks.push(cb);
  }

  response_complete(): boolean {
    return this.responseDone;
  }

  disconnect_future(): Promise<DisconnectReason> {
    return this.future.promise;
  }

  /** `http.response.start` was processed (by the app or the 500 backstop). */
  markStarted(): void {
    this.started = true;
  }

  /** The final body (or the trailers) was processed. */
  markResponseComplete(): void {
    this.responseDone = true;
  }

  /** Success path (D-11: response delivered and app settled): run on_complete callbacks. */
  complete(): void {
    if (this.outcome !== 'open') return;
    this.outcome = 'completed';
    this.connected = false;
    for (const cb of this.completeCallbacks.splice(0)) this.run(cb);
    this.disconnectCallbacks.length = 0;
  }

  /**
   * Abnormal path, in the order §3.8 requires: (1) is_connected false, (2) reason set,
   * (3) disconnect_future resolves, (4) on_disconnect callbacks in order. Step (5), queueing
   * `http.disconnect`, is the caller's, right after this returns.
   */
  abort(reason: DisconnectReason): boolean {
    if (this.outcome !== 'open') return false;
    this.outcome = 'aborted';
    this.connected = false;
    this.reason = reason;
    this.future.resolve(reason);
    for (const cb of this.disconnectCallbacks.splice(0)) this.run(() => cb(reason));
    this.completeCallbacks.length = 0;
    return true;
  }

  private run(cb: () => void): void {
    try {
      cb();
    } catch (error) {
      this.callbackErrors.push(error);
    }
  }
}

/**
 * `scope['pagi.transport']` in-process: nothing is ever buffered between the app and the test, so
 * the buffer is always empty and the watermark callbacks never fire (protocol.md §3.9).
 */
export function createTransportState(): TransportState {
  return {
    buffered_amount: () => 0,
    high_water_mark: () => undefined,
    low_water_mark: () => undefined,
    on_high_water: () => {},
    on_drain: () => {},
  };
}
