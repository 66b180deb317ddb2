import type { ConnectionState, DisconnectReason } from '@pagi/spec';

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
 * `scope['pagi.connection']` (protocol.md §3.8): a read-only view of one request. Plain prototype
 * methods over one field, so building it costs one small object per request; call them on the
 * object (`conn.is_connected()`), as the spec's method signatures imply.
 */
export class HttpConnectionState implements ConnectionState {
  readonly #source: ConnectionSource;

  constructor(source: ConnectionSource) {
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
