import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DisconnectReason, PagiValidationError } from '@pagi/spec';
import type { ServerContext } from '../internal/context.js';
import { createTransportState, type ServerTransportState } from '../internal/transport-state.js';
import type { ConnectionSlot } from './connection-slot.js';
import type { ConnectionSource } from './connection-state.js';

/**
 * The connection lifecycle of one HTTP request (protocol.md §3.8): `pagi.connection`'s state and
 * callbacks, the abnormal end (`disconnect`, in its mandated order) and the normal one (complete
 * once the response finished and the app returned). It is the first of four layers of one object,
 * each in its own file, read top to bottom:
 *
 *   ExchangeLifecycle (here) → RequestBodyReader (request-body.ts: receive, 100-continue, body
 *   limits) → ResponseWriter (response-writer.ts: the send order, files, trailers, the D-12
 *   backstop) → HttpExchange (exchange.ts: runs the app, the access log).
 *
 * One object, not four: a request allocates nothing for being layered.
 */
export abstract class ExchangeLifecycle implements ConnectionSource {
  readonly ctx: ServerContext;
  readonly slot: ConnectionSlot;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;

  connected = true;
  reason: DisconnectReason | undefined;
  completed = false;
  /** Set by the response writer (pagi.connection's response_started / body complete). */
  started = false;
  bodyComplete = false;
  /** The server cut the connection itself (abort): a later socket close is not `client_closed`. */
  protected aborted = false;
  /** The response's 'finish': node handed its last byte to the socket. */
  protected finished = false;
  protected appSettled = false;
  private disconnectCallbacks: Array<(reason: DisconnectReason) => void> | undefined;
  private completeCallbacks: Array<() => void> | undefined;
  private disconnectFuture: Promise<DisconnectReason> | undefined;
  private resolveDisconnectFuture: ((reason: DisconnectReason) => void) | undefined;
  protected transportState: ServerTransportState | undefined;

  constructor(ctx: ServerContext, slot: ConnectionSlot, req: IncomingMessage, res: ServerResponse) {
    this.ctx = ctx;
    this.slot = slot;
    this.req = req;
    this.res = res;
  }

  /** Step (5) of the abnormal path and D-7: wake a parked receive() with http.disconnect. */
  protected abstract endReceive(): void;
  /** The response finished on the wire (before completion is decided). */
  protected abstract responseFinished(): void;
  /** Runs once, when the request is over either way: the access log, then the slot moves on. */
  protected abstract ended(): void;

  transport(): ServerTransportState {
    return (this.transportState ??= createTransportState(
      this.slot.socket,
      this.ctx.options.writeHighWaterMark,
      this.ctx.options.writeLowWaterMark,
    ));
  }

  addDisconnectCallback(cb: (reason: DisconnectReason) => void): void {
    if (typeof cb !== 'function')
      throw new PagiValidationError(`on_disconnect: expected a function, got ${typeof cb}`);
    if (this.reason !== undefined) {
      safeCall(() => cb(this.reason!), this.ctx);
      return;
    }
    if (this.completed) return; // success path: never fires
    (this.disconnectCallbacks ??= []).push(cb);
  }

  addCompleteCallback(cb: () => void): void {
    if (typeof cb !== 'function')
      throw new PagiValidationError(`on_complete: expected a function, got ${typeof cb}`);
    if (this.completed) {
      safeCall(cb, this.ctx);
      return;
    }
    if (this.reason !== undefined) return;
    (this.completeCallbacks ??= []).push(cb);
  }

  disconnectPromise(): Promise<DisconnectReason> {
    if (this.disconnectFuture === undefined) {
      this.disconnectFuture =
        this.reason !== undefined
          ? Promise.resolve(this.reason)
          : new Promise((resolve) => {
              this.resolveDisconnectFuture = resolve;
            });
    }
    return this.disconnectFuture;
  }

  onFinish(): void {
    this.finished = true;
    this.responseFinished();
    this.maybeComplete();
  }

  /** The socket closed under this request. */
  onSocketClose(): void {
    if (this.finished && this.reason === undefined) {
      // Fully delivered: not an abnormal end, even if the app has not returned yet (D-11).
      this.connected = false;
      return;
    }
    this.disconnect(this.aborted ? (this.reason ?? 'server_error') : 'client_closed');
  }

  /** Ends the request abnormally and drops the connection. */
  abort(reason: DisconnectReason): void {
    if (this.reason !== undefined) return;
    this.aborted = true;
    this.slot.closeAfter = true;
    this.disconnect(reason);
    this.slot.socket.destroy();
  }

  /** §3.8 abnormal path, in its mandated order. Idempotent. */
  disconnect(reason: DisconnectReason): void {
    if (this.reason !== undefined || this.completed) return;
    this.connected = false; // (1)
    this.reason = reason; // (2)
    this.resolveDisconnectFuture?.(reason); // (3)
    this.resolveDisconnectFuture = undefined;
    const callbacks = this.disconnectCallbacks;
    this.disconnectCallbacks = undefined;
    this.completeCallbacks = undefined;
    if (callbacks !== undefined) for (const cb of callbacks) safeCall(() => cb(reason), this.ctx); // (4)
    this.endReceive(); // (5)
    this.transportState?.dispose();
    this.maybeComplete();
  }

  protected maybeComplete(): void {
    if (!this.appSettled) return;
    if (this.reason === undefined) {
      if (!this.finished || this.completed) return;
      this.completed = true;
      const callbacks = this.completeCallbacks;
      this.completeCallbacks = undefined;
      this.disconnectCallbacks = undefined;
      if (callbacks !== undefined) for (const cb of callbacks) safeCall(cb, this.ctx);
      this.endReceive(); // D-7
    } else {
      if (this.completed) return;
      this.completed = true;
    }
    this.transportState?.dispose();
    this.ended();
  }
}

export function safeCall(fn: () => void, ctx: ServerContext): void {
  try {
    fn();
  } catch (error) {
    ctx.logger.error('a pagi.connection callback threw', error);
  }
}
