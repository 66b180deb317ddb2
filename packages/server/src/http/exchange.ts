import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DisconnectReason,
  type HeaderList,
  type HttpScope,
  HttpSendOrder,
  httpSendNext,
  httpSendOrderError,
  PagiStateError,
  PagiUnknownEventError,
  PagiValidationError,
} from '@pagi/spec';
import type { ServerContext } from '../internal/context.js';
import { createTransportState, type ServerTransportState } from '../internal/transport-state.js';
import type { ConnectionSource } from './connection-state.js';
import type { ConnectionSlot } from './connection-slot.js';
import { fileRange, openFileSource } from './file-source.js';
import { kFinishHook, PagiServerResponse } from './pagi-response.js';
import { flattenHeaders, flattenInto } from './response-headers.js';
import { buildHttpScope, type HttpScopeSource } from './scope.js';

// Outbound states (protocol.md §5.1).
const INIT = 0;
const STARTED = 1; // start accepted, head not written yet (kept so start + final body is one write)
const STREAMING = 2; // head written, body open
const BODY_DONE = 3; // final body written, trailers promised
const SENDING_FILE = 4; // a file body is being streamed; it finishes the body
const ENDED = 5; // res.end() called

/** The send-order state (@pagi/spec's HttpSendOrder, shared with the validator) of each wire state. */
const ORDER_STEP = Int8Array.from([
  HttpSendOrder.INIT,
  HttpSendOrder.STARTED,
  HttpSendOrder.STARTED,
  HttpSendOrder.BODY_DONE,
  HttpSendOrder.COMPLETE,
  HttpSendOrder.COMPLETE,
]);

const RESOLVED: Promise<void> = Promise.resolve();
const EMPTY = Buffer.alloc(0);
const FILE_CHUNK = 64 * 1024;

function noop(): void {}
/** A rejected promise that can't become an unhandled rejection if the app ignores it. */
function rejected(error: unknown): Promise<never> {
  const p = Promise.reject(error);
  p.catch(noop);
  return p;
}

function onReadable(this: IncomingMessage): void {
  (this as { [kExchange]?: HttpExchange })[kExchange]?.pump();
}
function onFinish(this: ServerResponse): void {
  (this as { [kExchange]?: HttpExchange })[kExchange]?.onFinish();
}

export const kExchange: unique symbol = Symbol('pagi.exchange');

type Resolver = (
  event: { type: 'http.request'; body: Uint8Array; more: boolean } | { type: 'http.disconnect' },
) => void;

/**
 * One HTTP request/response cycle: the app's `receive`/`send`, the §5.1 state machine, the
 * §3.8 connection state and the D-12 backstop. Everything is built lazily: a scope key the app
 * never reads, a body it never receives, costs nothing.
 */
export class HttpExchange implements ConnectionSource, HttpScopeSource {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ctx: ServerContext;
  readonly slot: ConnectionSlot;
  readonly startTime: number;
  readonly scope: HttpScope;
  readonly expectContinue: boolean;
  readonly bodyless: boolean;
  /** The declared Content-Length, or -1 for a chunked body (or none). */
  private readonly declaredLength: number;
  private readonly head: boolean;

  private out = INIT;
  private status = 0;
  /** The response head as `writeHead` takes it (filled by flattenInto). */
  flat: string[] | undefined = undefined;
  /** The app's `content-length` value, if it set one. */
  contentLength: string | undefined = undefined;
  private trailers = false;
  bytesSent = 0;
  started = false;
  bodyComplete = false;

  private bodyDone = false;
  private bodyBytes = 0;
  private sent100 = false;
  private readingAttached = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private pending: Promise<Parameters<Resolver>[0]> | undefined;
  private resolvePending: Resolver | undefined;

  connected = true;
  reason: DisconnectReason | undefined;
  private aborted = false;
  private finished = false;
  private appSettled = false;
  completed = false;
  private disconnectCallbacks: Array<(reason: DisconnectReason) => void> | undefined;
  private completeCallbacks: Array<() => void> | undefined;
  private disconnectFuture: Promise<DisconnectReason> | undefined;
  private resolveDisconnectFuture: ((reason: DisconnectReason) => void) | undefined;
  private transportState: ServerTransportState | undefined;

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
    this.startTime = ctx.options.accessLog === 'off' ? 0 : performance.now();
    if (res instanceof PagiServerResponse) {
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
        () => this.receive(),
        (event) => this.send(event as Record<string, unknown>),
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

  // --- receive -------------------------------------------------------------------------------

  receive(): Promise<Parameters<Resolver>[0]> {
    // D-15: a second call while one is pending gets the same promise, so no event is lost.
    if (this.pending !== undefined) return this.pending;
    if (this.reason !== undefined || this.completed) return Promise.resolve({ type: 'http.disconnect' });
    if (this.bodyDone && this.finished) return Promise.resolve({ type: 'http.disconnect' });
    if (!this.bodyDone) {
      if (this.expectContinue && !this.sent100) {
        // §4.1.1: 100 Continue only once the app shows it wants the body.
        this.sent100 = true;
        if (this.out === INIT && !this.res.headersSent) this.res.writeContinue();
      }
      if (this.bodyless) {
        this.bodyDone = true;
        return this.deliverNow({ type: 'http.request', body: EMPTY, more: false });
      }
      const event = this.readChunk();
      if (event !== undefined) return this.deliverNow(event);
      if (this.reason !== undefined) return Promise.resolve({ type: 'http.disconnect' });
      if (!this.readingAttached) {
        this.readingAttached = true;
        (this.req as { [kExchange]?: HttpExchange })[kExchange] = this;
        this.req.on('readable', onReadable);
        this.req.on('end', onReadable);
      }
      this.armStallTimer();
    }
    this.pending = new Promise((resolve) => {
      this.resolvePending = resolve;
    });
    return this.pending;
  }

  /**
   * D-15 for an event that is ready now: the resolved promise stays the pending one until the
   * microtask queue reaches it, so `const a = receive(); const b = receive()` gives `b === a`
   * and one event. The clearing microtask is queued before any `await` on the promise can be, so
   * the app's continuation already sees it cleared and its next call reads the next event.
   */
  private deliverNow(event: Parameters<Resolver>[0]): Promise<Parameters<Resolver>[0]> {
    const p = Promise.resolve(event);
    this.pending = p;
    queueMicrotask(() => {
      if (this.pending === p) this.pending = undefined;
    });
    return p;
  }

  /** Called when body data or the end arrived while a receive() waits. */
  pump(): void {
    if (this.resolvePending === undefined || this.bodyDone) return;
    const event = this.readChunk();
    if (event === undefined) {
      if (this.reason !== undefined) this.settlePending({ type: 'http.disconnect' });
      return;
    }
    this.settlePending(event);
  }

  private settlePending(event: Parameters<Resolver>[0]): void {
    const resolve = this.resolvePending;
    if (resolve === undefined) return;
    this.clearStallTimer();
    this.pending = undefined;
    this.resolvePending = undefined;
    resolve(event);
  }

  private readChunk(): { type: 'http.request'; body: Uint8Array; more: boolean } | undefined {
    const req = this.req;
    const chunk = req.read() as Buffer | null;
    if (chunk === null) {
      if (req.complete && req.readableLength === 0) {
        this.bodyDone = true;
        return { type: 'http.request', body: EMPTY, more: false };
      }
      return undefined;
    }
    this.bodyBytes += chunk.length;
    const max = this.ctx.options.maxBodySize;
    if (max > 0 && this.bodyBytes > max) {
      this.rejectBody();
      return undefined;
    }
    // §4.1.1: the chunk that completes a Content-Length body is the final one (more: false); node
    // may not have flagged the request complete yet, so count against the declared length.
    const declared = this.declaredLength;
    const last = declared >= 0 ? this.bodyBytes >= declared : req.complete && req.readableLength === 0;
    if (last) this.bodyDone = true;
    return { type: 'http.request', body: chunk, more: !last };
  }

  /** A chunked body went over maxBodySize: 413 if nothing was sent, then drop the connection. */
  private rejectBody(): void {
    this.ctx.logger.warn(
      `request body exceeded maxBodySize (${this.ctx.options.maxBodySize} bytes): ${this.req.method} ${this.req.url}`,
    );
    this.slot.closeAfter = true;
    if (this.out === INIT && !this.res.headersSent) {
      this.started = true;
      this.status = 413;
      this.out = ENDED;
      this.res.shouldKeepAlive = false;
      const body = 'Payload Too Large\n';
      this.res.writeHead(413, [
        'content-type',
        'text/plain; charset=utf-8',
        'content-length',
        String(body.length),
      ]);
      this.res.end(body);
      this.bytesSent = body.length;
      this.disconnect('body_too_large');
    } else {
      this.abort('body_too_large');
    }
  }

  private armStallTimer(): void {
    const ms = this.ctx.options.requestTimeout;
    if (ms <= 0 || this.stallTimer !== undefined) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.abort('client_timeout');
    }, ms);
    this.stallTimer.unref?.();
  }

  private clearStallTimer(): void {
    if (this.stallTimer !== undefined) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
  }

  // --- send ----------------------------------------------------------------------------------

  send(event: Record<string, unknown>): Promise<void> {
    if (event === null || typeof event !== 'object') {
      return rejected(
        new PagiValidationError(
          `send: expected an event object, got ${event === null ? 'null' : typeof event}`,
        ),
      );
    }
    // D-6: after the client has gone every send is a no-op; pagi.connection says why.
    if (this.reason !== undefined || !this.connected) return RESOLVED;
    try {
      switch (event.type) {
        case 'http.response.start':
          return this.start(event);
        case 'http.response.body':
          return this.body(event);
        case 'http.response.trailers':
          return this.sendTrailers(event);
        case 'http.fullflush':
          if (!this.ctx.options.fullflush) {
            throw new PagiUnknownEventError(
              "http.fullflush: the 'fullflush' extension is not advertised on this scope (scope.extensions.fullflush)",
            );
          }
          // Node writes eagerly; turning Nagle off pushes small segments out now (§4.1.6).
          this.slot.socket.setNoDelay(true);
          return RESOLVED;
        default:
          throw new PagiUnknownEventError(
            `send: expected an http.response.* or http.fullflush event on an http scope, got ${JSON.stringify(event.type)}`,
          );
      }
    } catch (error) {
      return rejected(error);
    }
  }

  /** Throws the order's PagiStateError when §5.1 refuses an event of `kind` now. */
  private checkOrder(kind: number): void {
    const step = ORDER_STEP[this.out]!;
    if (httpSendNext(step, kind, this.trailers) < 0) throw httpSendOrderError(step, kind, this.trailers);
  }

  private start(event: Record<string, unknown>): Promise<void> {
    this.checkOrder(HttpSendOrder.START);
    const status = event.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      throw new PagiValidationError(
        `http.response.start: expected status to be an integer 100-599, got ${String(status)}`,
      );
    }
    const trailers = event.trailers;
    if (trailers !== undefined && typeof trailers !== 'boolean') {
      throw new PagiValidationError(
        `http.response.start: expected trailers to be a boolean, got ${typeof trailers}`,
      );
    }
    flattenInto(event.headers, 'http.response.start', this);
    this.status = status;
    this.trailers = trailers === true;
    this.out = STARTED;
    this.started = true;
    return RESOLVED;
  }

  /** Statuses and methods that never carry a body (RFC 9110 §6.4.1). */
  private noBody(): boolean {
    const s = this.status;
    return this.head || s < 200 || s === 204 || s === 304;
  }

  private writeHead(knownLength: number): void {
    const flat = this.flat!;
    if (knownLength >= 0 && this.contentLength === undefined && !this.trailers) {
      const s = this.status;
      if (!(s < 200 || s === 204 || s === 304)) flat.push('content-length', String(knownLength));
    }
    if (this.slot.closeAfter || this.ctx.stopping) this.res.shouldKeepAlive = false;
    if (this.contentLength !== undefined) this.res.strictContentLength = !this.head;
    this.res.writeHead(this.status, flat);
    this.out = STREAMING;
  }

  private body(event: Record<string, unknown>): Promise<void> {
    const out = this.out;
    const more = event.more;
    const file = event.file !== undefined || event.fh !== undefined;
    // A file body always finishes the body (§4.1.4).
    this.checkOrder(file || more !== true ? HttpSendOrder.FINAL_BODY : HttpSendOrder.BODY);
    if (more !== undefined && typeof more !== 'boolean') {
      throw new PagiValidationError(`http.response.body: expected more to be a boolean, got ${typeof more}`);
    }
    const body = event.body;
    if (file) {
      if (body !== undefined || (event.file !== undefined && event.fh !== undefined)) {
        throw new PagiValidationError('http.response.body: expected one of body, file or fh, got several');
      }
      const range = fileRange(event);
      this.out = SENDING_FILE;
      const p = this.sendFile(event, range.offset, range.length, out);
      p.catch(noop);
      return p;
    }
    let length: number;
    if (body === undefined) {
      length = 0;
    } else if (typeof body === 'string') {
      length = body.length === 0 ? 0 : Buffer.byteLength(body);
    } else if (body instanceof Uint8Array) {
      length = body.byteLength;
    } else {
      throw new PagiValidationError(
        `http.response.body: expected body to be a Uint8Array or a string, got ${typeof body}`,
      );
    }
    const res = this.res;
    try {
      if (more !== true) {
        if (out === STARTED) this.writeHead(length);
        this.bytesSent += length;
        if (this.trailers) {
          if (length > 0) res.write(body as string | Uint8Array);
          this.out = BODY_DONE;
        } else {
          this.out = ENDED;
          this.bodyComplete = true;
          if (length > 0) res.end(body as string | Uint8Array);
          else res.end();
        }
        return RESOLVED;
      }
      if (out === STARTED) this.writeHead(-1);
      if (length === 0) return RESOLVED;
      this.bytesSent += length;
      res.write(body as string | Uint8Array);
    } catch (error) {
      // Node refused the bytes (e.g. more than the declared content-length): the framing is lost.
      this.abort('server_error');
      throw new PagiValidationError(`http.response.body: ${(error as Error).message}`, { cause: error });
    }
    this.transportState?.afterWrite();
    if (this.res.writableLength >= this.ctx.options.writeHighWaterMark) return this.transport().waitForRoom();
    return RESOLVED;
  }

  private async sendFile(
    event: Record<string, unknown>,
    offset: number,
    length: number,
    before: number,
  ): Promise<void> {
    let source: Awaited<ReturnType<typeof openFileSource>>;
    try {
      source = await openFileSource(event);
    } catch (error) {
      // Nothing was written: the app may still answer differently (a 404, say).
      this.out = before;
      throw error;
    }
    try {
      const size = await source.size();
      const total = Math.max(0, Math.min(length, size - offset));
      if (this.reason !== undefined) return;
      if (before === STARTED) {
        this.writeHead(total);
        this.out = SENDING_FILE;
      }
      const res = this.res;
      if (!this.noBody()) {
        let sent = 0;
        while (sent < total) {
          if (this.reason !== undefined) return;
          const want = Math.min(FILE_CHUNK, total - sent);
          // A fresh buffer per chunk: the socket keeps a reference until the bytes are flushed.
          const buffer = Buffer.allocUnsafe(want);
          const n = await source.read(buffer, want, offset + sent);
          if (n === 0) break; // the file shrank; stop at EOF (declared lengths are Node's to police)
          if (this.reason !== undefined) return;
          res.write(n === want ? buffer : buffer.subarray(0, n));
          sent += n;
          this.bytesSent += n;
          this.transportState?.afterWrite();
          if (res.writableLength >= this.ctx.options.writeHighWaterMark) await this.transport().waitForRoom();
        }
      }
      if (this.reason !== undefined) return;
      if (this.trailers) {
        this.out = BODY_DONE;
      } else {
        this.out = ENDED;
        this.bodyComplete = true;
        res.end();
      }
    } catch (error) {
      this.abort('server_error');
      throw error;
    } finally {
      await source.release();
    }
  }

  private sendTrailers(event: Record<string, unknown>): Promise<void> {
    if (this.out === SENDING_FILE && this.trailers) {
      // The order allows it (the file finished the body); the wire does not yet.
      throw new PagiStateError(
        "'http.response.trailers': expected the file body to be written first (await its send()), got trailers while it is streaming",
      );
    }
    this.checkOrder(HttpSendOrder.TRAILERS);
    const { flat } = flattenHeaders(event.headers, 'http.response.trailers', false);
    // Trailers need chunked framing (RFC 9112 §7.1.2). With a content-length or an HTTP/1.0
    // client there is nowhere to put them, so they are dropped (documented in server-behavior.md).
    if (flat.length > 0 && this.contentLength === undefined && this.req.httpVersion !== '1.0') {
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
      this.res.addTrailers(pairs);
    }
    this.out = ENDED;
    this.bodyComplete = true;
    this.res.end();
    return RESOLVED;
  }

  // --- lifecycle -----------------------------------------------------------------------------

  onFinish(): void {
    this.finished = true;
    // D-7: a receive() parked after the body learns the response is done now, not when the app
    // returns (it may be awaiting this very receive()).
    if (this.bodyDone) this.settlePending({ type: 'http.disconnect' });
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
    this.clearStallTimer();
    this.resolveDisconnectFuture?.(reason); // (3)
    this.resolveDisconnectFuture = undefined;
    const callbacks = this.disconnectCallbacks;
    this.disconnectCallbacks = undefined;
    this.completeCallbacks = undefined;
    if (callbacks !== undefined) for (const cb of callbacks) safeCall(() => cb(reason), this.ctx); // (4)
    this.settlePending({ type: 'http.disconnect' }); // (5)
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
      if (this.reason === undefined && this.connected) this.backstop(threw, line);
    }
    this.maybeComplete();
  }

  /**
   * D-12 (amended 2026-12-04): whatever the app did, the client can tell a failed response from a
   * good one. Nothing on the wire yet: a complete 500. A body already on its way: the response is
   * aborted (see abortStarted) so the client sees the truncation instead of a cleanly ended
   * message. Only what can't lose anything ends cleanly: promised trailers never sent (the body
   * was complete) and a response that carries no body (HEAD, 1xx/204/304).
   */
  private backstop(threw: boolean, line: string): void {
    const out = this.out;
    if (out === ENDED || out === SENDING_FILE) return;
    const res = this.res;
    this.slot.closeAfter = true;
    const endsCleanly =
      out === BODY_DONE ||
      (out === STREAMING && this.noBody()) ||
      (out === STARTED && !threw && this.noBody());
    if (!endsCleanly && (out === INIT || (out === STARTED && !res.headersSent))) {
      if (out === INIT && !threw)
        this.ctx.logger.error(`app returned without sending http.response.start for ${line}; sent 500`);
      else if (out === STARTED && !threw)
        this.ctx.logger.error(`app returned after http.response.start without a body for ${line}; sent 500`);
      this.started = true;
      this.status = 500;
      this.out = ENDED;
      this.bytesSent = 22;
      res.shouldKeepAlive = false;
      res.writeHead(500, ['content-type', 'text/plain; charset=utf-8', 'content-length', '22']);
      res.end('Internal Server Error\n');
      this.disconnect('server_error');
      return;
    }
    if (!endsCleanly) {
      this.ctx.logger.warn(
        `app ${threw ? 'raised' : 'returned'} before finishing the response to ${line}; aborted it (connection closed without ending the body)`,
      );
      this.abortStarted();
      return;
    }
    this.ctx.logger.warn(
      `app ${threw ? 'raised' : 'returned'} before finishing the response to ${line}; ended it ${out === BODY_DONE ? 'without the promised trailers' : '(no body to lose)'} and closed the connection`,
    );
    try {
      if (out === STARTED) this.writeHead(0);
      this.out = ENDED;
      res.end();
    } catch {
      this.abort('server_error');
      return;
    }
    this.disconnect('server_error');
  }

  /**
   * A started response that can't be finished: what was written is flushed, then the connection
   * is closed without the chunked terminator (or short of the declared Content-Length), which an
   * HTTP/1.1 client reports as an incomplete response. `res.end()` is never called, so node never
   * frames an end. (A close-delimited HTTP/1.0 body can't show the cut: closing is its end.)
   */
  private abortStarted(): void {
    this.aborted = true;
    this.out = ENDED;
    this.disconnect('server_error');
    // destroySoon: end() uncorks and flushes node's pending writes, then the socket is destroyed.
    this.slot.socket.destroySoon();
  }

  private maybeComplete(): void {
    if (!this.appSettled) return;
    if (this.reason === undefined) {
      if (!this.finished || this.completed) return;
      this.completed = true;
      this.clearStallTimer();
      const callbacks = this.completeCallbacks;
      this.completeCallbacks = undefined;
      this.disconnectCallbacks = undefined;
      if (callbacks !== undefined) for (const cb of callbacks) safeCall(cb, this.ctx);
      this.settlePending({ type: 'http.disconnect' }); // D-7
    } else {
      if (this.completed) return;
      this.completed = true;
    }
    this.transportState?.dispose();
    this.writeAccessLog();
    this.slot.done(this);
  }

  private writeAccessLog(): void {
    if (this.ctx.options.accessLog === 'off') return;
    const req = this.req;
    let referer: string | undefined;
    let userAgent: string | undefined;
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length === 7 && name.toLowerCase() === 'referer') referer = raw[i + 1];
      else if (name.length === 10 && name.toLowerCase() === 'user-agent') userAgent = raw[i + 1];
    }
    this.ctx.accessLog({
      // The scope's client: the real one behind a trusted proxy (--proxy-headers).
      client: this.scope.client?.[0] ?? '-',
      method: req.method ?? '-',
      target: req.url ?? '-',
      httpVersion: req.httpVersion,
      status: this.status === 0 ? 0 : this.status,
      bytes: this.bytesSent,
      durationMs: performance.now() - this.startTime,
      referer,
      userAgent,
      protocol: 'http',
    });
  }
}

function safeCall(fn: () => void, ctx: ServerContext): void {
  try {
    fn();
  } catch (error) {
    ctx.logger.error('a pagi.connection callback threw', error);
  }
}
