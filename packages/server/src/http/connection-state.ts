import type { ConnectionState, DisconnectReason } from '@pagi/spec';
import { LazyTransportView, type TransportSource } from '../internal/lazy-transport-view.js';

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
 * methods over the exchange; call them on the object (`conn.is_connected()`), as the spec's method
 * signatures imply. The transport methods are {@link LazyTransportView}'s: they forward to the
 * exchange's watermark state, built on first use (a request that never looks at flow control
 * builds none).
 */
export class HttpExchangeView extends LazyTransportView implements ConnectionState {
  /** The same exchange the transport view holds (a field of its own: private fields do not inherit). */
  readonly #source: ConnectionSource & TransportSource;

  constructor(source: ConnectionSource & TransportSource) {
    super(source);
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
}
