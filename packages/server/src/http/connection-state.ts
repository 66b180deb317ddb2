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
 * `scope['pagi.connection']` (protocol.md §3.8): a read-only view of one request. The methods are
 * arrow functions on the instance so an app may pass them around detached (`const { is_connected }`).
 */
export class HttpConnectionState implements ConnectionState {
  readonly is_connected: () => boolean;
  readonly disconnect_reason: () => DisconnectReason | undefined;
  readonly on_disconnect: (cb: (reason: DisconnectReason) => void) => void;
  readonly response_started: () => boolean;
  readonly on_complete: (cb: () => void) => void;
  readonly response_complete: () => boolean;
  readonly disconnect_future: () => Promise<DisconnectReason>;

  constructor(source: ConnectionSource) {
    this.is_connected = () => source.connected;
    this.disconnect_reason = () => source.reason;
    this.on_disconnect = (cb) => source.addDisconnectCallback(cb);
    this.response_started = () => source.started;
    this.on_complete = (cb) => source.addCompleteCallback(cb);
    this.response_complete = () => source.bodyComplete;
    this.disconnect_future = () => source.disconnectPromise();
  }
}
