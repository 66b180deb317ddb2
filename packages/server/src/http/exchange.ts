import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DisconnectReason, type HeaderList, type HttpScope, PagiValidationError } from '@pagi/spec';
import type { ServerContext } from '../internal/context.js';
import { createTransportState, type ServerTransportState } from '../internal/transport-state.js';
import type { BodyReadState } from './body-read-state.js';
import { clearStallTimer, kExchange, receiveBody, settlePending } from './body-reader.js';
import type { ConnectionSource } from './connection-state.js';
import type { ConnectionSlot } from './connection-slot.js';
import type { ExchangeState } from './exchange-state.js';
import { writeExchangeAccessLog } from './exchange-access-log.js';
import { ExchangeListeners } from './exchange-listeners.js';
import { PagiHttp2Response } from '../http2/pagi-http2-compat.js';
import { H2StreamResponse } from '../http2/h2-stream-io.js';
import { kFinishHook, PagiServerResponse } from './pagi-response.js';
import { backstop, ENDED, INIT, SENDING_FILE, sendResponseEvent } from './response-writer.js';
import { buildHttpScope, type HttpScopeSource } from './scope.js';
import { now } from '../internal/clock.js';

export { kExchange } from './body-reader.js';

function onFinish(this: ServerResponse): void {
  (this as { [kExchange]?: HttpExchange })[kExchange]?.onFinish();
}

/**
 * One HTTP request/response cycle: its state, and its connection lifecycle (§3.8 connection state,
 * callbacks, completion, the D-12 backstop's trigger, the access log). Reading the body lives in
 * body-reader.ts and writing the response in response-writer.ts, as plain functions over these
 * fields, so HTTP/1.x and HTTP/2 share them: the version-specific parts are the node request and
 * response objects and the slot (what "drop the carrier" means). Everything is built lazily: a
 * scope key the app never reads, a body it never receives, costs nothing.
 *
 * The fields below are the exchange's state shared with those two modules (not an API).
 */
export class HttpExchange implements ExchangeState, ConnectionSource, HttpScopeSource {
  // Set once by the constructor. `declare`d, not plain fields: a plain field is first defined as
  // undefined by the class's field initialiser and then written again here (twice the stores).
  declare readonly req: IncomingMessage;
  declare readonly res: ServerResponse;
  declare readonly ctx: ServerContext;
  declare readonly slot: ConnectionSlot;
  declare readonly startTime: number;
  declare readonly scope: HttpScope;
  declare readonly expectContinue: boolean;
  declare readonly bodyless: boolean;
  /** The declared Content-Length, or -1 for a chunked body (or none). */
  declare readonly declaredLength: number;
  declare readonly head: boolean;

  // --- response (response-writer.ts) ---
  /** Outbound wire state (response-writer.ts INIT … ENDED). */
  out = INIT;
  status = 0;
  /** The response head as `writeHead` takes it (filled by flattenInto). */
  flat: string[] | undefined = undefined;
  /** The app's `content-length` value, if it set one. */
  contentLength: string | undefined = undefined;
  trailers = false;
  bytesSent = 0;
  started = false;
  bodyComplete = false;

  // --- request body (body-reader.ts), made on the app's first receive() ---
  body: BodyReadState | undefined = undefined;

  // --- lifecycle ---
  connected = true;
  reason: DisconnectReason | undefined = undefined;
  aborted = false;
  finished = false;
  private appSettled = false;
  completed = false;
  /** The app's pagi.connection callbacks and future, made on its first registration. */
  private listeners: ExchangeListeners | undefined = undefined;
  transportState: ServerTransportState | undefined = undefined;

  constructor(
    ctx: ServerContext,
    slot: ConnectionSlot,
    req: IncomingMessage,
    res: ServerResponse,
    headers: HeaderList,
    bodyless: boolean,
    expectContinue: boolean,
    declaredLength = -1,
  ) {
    this.ctx = ctx;
    this.slot = slot;
    this.req = req;
    this.res = res;
    this.bodyless = bodyless;
    this.expectContinue = expectContinue;
    this.declaredLength = declaredLength;
    this.head = req.method === 'HEAD';
    // Only the access log needs the duration; skip the clock read when it is off.
    this.startTime = ctx.options.accessLog === 'off' ? 0 : now();
    if (res instanceof PagiServerResponse) {
      res[kFinishHook] = this;
    } else if ((res as unknown) instanceof H2StreamResponse) {
      (res as unknown as H2StreamResponse)[kFinishHook] = this;
    } else if (res instanceof PagiHttp2Response) {
      res[kFinishHook] = this;
    } else {
      // A response class the server did not choose (a foreign http.Server): listen as usual.
      (res as { [kExchange]?: HttpExchange })[kExchange] = this;
      res.on('finish', onFinish);
    }
    this.scope = buildHttpScope(this, slot, headers);
  }

  /** false until the app was called; a request cancelled before that never reaches the app. */
  running = false;
  cancelled = false;

  /** The response has not begun on the wire: a server-generated answer can still replace it. */
  get untouched(): boolean {
    return this.out === INIT && !this.res.headersSent;
  }

  /**
   * The parser failed on this request's body before the app was called (the bytes came in the
   * same read as the head): the app never sees it, the caller answers 4xx and closes.
   */
  cancel(): void {
    this.cancelled = true;
    this.appSettled = true;
    this.started = true;
    this.out = ENDED;
    this.slot.closeAfter = true;
    this.disconnect('protocol_error');
  }

  /** Ends the request abnormally while the server itself answers the client (no more app output). */
  fail(reason: DisconnectReason): void {
    this.started = true;
    this.out = ENDED;
    this.slot.closeAfter = true;
    this.disconnect(reason);
  }

  /** Calls the app; every way it can fail (sync throw, rejection, non-promise) is contained. */
  run(): void {
    if (this.cancelled || this.reason !== undefined) {
      if (!this.appSettled) {
        this.appSettled = true;
        this.maybeComplete();
      }
      return;
    }
    this.running = true;
    let result: unknown;
    try {
      result = this.ctx.app(
        this.scope,
        () => receiveBody(this),
        (event) => sendResponseEvent(this, event as Record<string, unknown>),
      );
    } catch (error) {
      this.onAppSettled(error, true);
      return;
    }
    if (result !== null && typeof (result as Promise<unknown>)?.then === 'function') {
      (result as Promise<unknown>).then(this.slot.appFulfilled, this.slot.appRejected);
    } else {
      this.onAppSettled(undefined, false);
    }
  }

  // --- scope helpers -------------------------------------------------------------------------

  transport(): ServerTransportState {
    return (this.transportState ??= createTransportState(
      this.slot.writable,
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
    ((this.listeners ??= new ExchangeListeners()).disconnect ??= []).push(cb);
  }

  addCompleteCallback(cb: () => void): void {
    if (typeof cb !== 'function')
      throw new PagiValidationError(`on_complete: expected a function, got ${typeof cb}`);
    if (this.completed) {
      safeCall(cb, this.ctx);
      return;
    }
    if (this.reason !== undefined) return;
    ((this.listeners ??= new ExchangeListeners()).complete ??= []).push(cb);
  }

  disconnectPromise(): Promise<DisconnectReason> {
    const listeners = (this.listeners ??= new ExchangeListeners());
    if (listeners.future === undefined) {
      listeners.future =
        this.reason !== undefined
          ? Promise.resolve(this.reason)
          : new Promise((resolve) => {
              listeners.resolveFuture = resolve;
            });
    }
    return listeners.future;
  }

  // --- lifecycle -----------------------------------------------------------------------------

  onFinish(): void {
    this.finished = true;
    // D-7: a receive() parked after the body learns the response is done now, not when the app
    // returns (it may be awaiting this very receive()).
    if (this.body?.done === true) settlePending(this, { type: 'http.disconnect' });
    this.maybeComplete();
  }

  /** The connection (HTTP/2: the stream) closed under this request. */
  onSocketClose(): void {
    if (this.finished && this.reason === undefined) {
      // Fully delivered: not an abnormal end, even if the app has not returned yet (D-11).
      this.connected = false;
      return;
    }
    this.disconnect(this.aborted ? (this.reason ?? 'server_error') : 'client_closed');
  }

  /** Ends the request abnormally and drops its carrier (HTTP/1.x: the connection; HTTP/2: the stream). */
  abort(reason: DisconnectReason): void {
    if (this.reason !== undefined) return;
    this.aborted = true;
    this.slot.closeAfter = true;
    this.disconnect(reason);
    this.slot.cut();
  }

  /** §3.8 abnormal path, in its mandated order. Idempotent. */
  disconnect(reason: DisconnectReason): void {
    if (this.reason !== undefined || this.completed) return;
    this.connected = false; // (1)
    this.reason = reason; // (2)
    clearStallTimer(this);
    const listeners = this.listeners;
    if (listeners !== undefined) {
      listeners.resolveFuture?.(reason); // (3)
      listeners.resolveFuture = undefined;
      const callbacks = listeners.disconnect;
      listeners.disconnect = undefined;
      listeners.complete = undefined;
      if (callbacks !== undefined) for (const cb of callbacks) safeCall(() => cb(reason), this.ctx); // (4)
    }
    settlePending(this, { type: 'http.disconnect' }); // (5)
    this.transportState?.dispose();
    this.maybeComplete();
  }

  /** The app's promise settled (called through the slot's shared handlers). */
  appSettledWith(error: unknown, threw: boolean): void {
    this.onAppSettled(error, threw);
  }

  private onAppSettled(error: unknown, threw: boolean): void {
    if (this.appSettled) return;
    this.appSettled = true;
    // The common case (returned after a complete response) builds no log line at all.
    if (threw || (this.out !== ENDED && this.out !== SENDING_FILE)) {
      const line = `${this.req.method} ${this.req.url} HTTP/${this.req.httpVersion}`;
      if (threw && this.reason === undefined)
        this.ctx.logger.error(`app raised an error while handling ${line}`, error);
      else if (threw)
        this.ctx.logger.debug(`app raised after the client went away (${this.reason}) on ${line}`, error);
      if (this.reason === undefined && this.connected) backstop(this, threw, line);
    }
    this.maybeComplete();
  }

  private maybeComplete(): void {
    if (!this.appSettled) return;
    if (this.reason === undefined) {
      if (!this.finished || this.completed) return;
      this.completed = true;
      clearStallTimer(this);
      const listeners = this.listeners;
      if (listeners !== undefined) {
        const callbacks = listeners.complete;
        listeners.complete = undefined;
        listeners.disconnect = undefined;
        if (callbacks !== undefined) for (const cb of callbacks) safeCall(cb, this.ctx);
      }
      settlePending(this, { type: 'http.disconnect' }); // D-7
    } else {
      if (this.completed) return;
      this.completed = true;
    }
    this.transportState?.dispose();
    if (this.ctx.options.accessLog !== 'off') writeExchangeAccessLog(this);
    this.slot.done(this);
  }
}

function safeCall(fn: () => void, ctx: ServerContext): void {
  try {
    fn();
  } catch (error) {
    ctx.logger.error('a pagi.connection callback threw', error);
  }
}
