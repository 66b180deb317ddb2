import type { ConnectionState, DisconnectReason, TransportState } from '@pagi/spec';
import type { TransportSource } from '../internal/lazy-transport-view.js';

/** What the connection view reads from its request; implemented by the HTTP exchange. */
export interface ConnectionSource {
  readonly connected: boolean;
  readonly reason: DisconnectReason | undefined;
  readonly started: boolean;
  readonly bodyComplete: boolean;
  readonly completed: boolean;
  addDisconnectCallback(cb: (reason: DisconnectReason) => void): void;
  addCompleteCallback(cb: () => void): void;
  disconnectPromise(): Promise<DisconnectReason>;
}

/**
 * `scope['pagi.connection']` (protocol.md §3.8) and `scope['pagi.transport']` (§3.9) of one HTTP
 * request, in one object: read-only views of the same exchange, so one small object per request
 * serves both keys instead of two (bytes and a constructor per request, issue 12). Plain prototype
 * methods over one field; call them on the object (`conn.is_connected()`), as the spec's method
 * signatures imply. The transport methods forward to the exchange's watermark state, which the
 * exchange builds on first use (a request that never looks at flow control builds none).
 */
export class HttpExchangeView implements ConnectionState, Required<TransportState> {
  readonly #source: ConnectionSource & TransportSource;

  constructor(source: ConnectionSource & TransportSource) {
    this.#source = source;
  }

  is_connected(): boolean {
    return this.#source.connected;
  }
  disconnect_reason(): DisconnectReason | undefined {
    return this.#source.reason;
  }
  on_disconnect(cb: (reason: DisconnectReason) => void): void {
    this.#source.addDisconnectCallback(cb);
  }
  response_started(): boolean {
    return this.#source.started;
  }
  on_complete(cb: () => void): void {
    this.#source.addCompleteCallback(cb);
  }
  response_complete(): boolean {
    return this.#source.bodyComplete;
  }
  disconnect_future(): Promise<DisconnectReason> {
    return this.#source.disconnectPromise();
  }

  buffered_amount(): number {
    return this.#source.transport().buffered_amount();
  }
  high_water_mark(): number | undefined {
    return this.#source.transport().high_water_mark();
  }
  low_water_mark(): number | undefined {
    return this.#source.transport().low_water_mark();
  }
  on_high_water(cb: () => void): void {
    this.#source.transport().on_high_water(cb);
  }
  on_drain(cb: () => void): void {
    this.#source.transport().on_drain(cb);
  }
}
