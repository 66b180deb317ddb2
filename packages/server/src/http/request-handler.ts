import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HeaderList } from '@pagi/spec';
import { acceptsEventStream } from '../internal/accepts-event-stream.js';
import type { ServerContext } from '../internal/context.js';
import { addressesOf, headerListFrom } from '../internal/scope-base.js';
import type { ConnectionSlot } from './connection-slot.js';
import { HttpExchange } from './exchange.js';
import { now } from '../internal/clock.js';
import { type DeadlineSocket, markRequestBoundary, kReadSince } from './deadlines.js';
import { closeAfterIgnoredUpgrade } from './pagi-request.js';
import {
  headRefusalOf,
  newRequestHeadFacts,
  type RequestHeadFacts,
  refuseConnect,
  scanRequestHead,
  valueAt,
} from './request-line-checks.js';
import { destroyAfterFlush } from '../internal/destroy-after-flush.js';
import { refuse, refuseRaw } from './simple-response.js';

// Read once: `globalThis.process` is an accessor in node, a getter call on every use (callgrind:
// ~150-300 instructions per read on the request path). Not `import { nextTick } from
// 'node:process'`: importing node:process from ESM reads every export of the module, which builds
// `process.stdin` (a ReadStream on fd 0) in every server process.
const nextTick = process.nextTick;

const kSlot: unique symbol = Symbol('pagi.slot');
type SlotSocket = Socket & { [kSlot]?: Slot };

/** Per-connection bookkeeping: one request runs at a time; pipelined ones wait in order (§5.1). */
class Slot implements ConnectionSlot {
  readonly socket: Socket;
  readonly writable: Socket;
  current: HttpExchange | undefined;
  foreign: ServerResponse | undefined;
  closeAfter = false;
  rejected = false;
  requests = 0;
  closed = false;
  client: [string, number] | undefined;
  server: [string, number] | [string, null] | undefined;
  queue: Array<IncomingMessage | ServerResponse | boolean> | undefined;
  /**
   * The whole-request deadline's clock (src/http/deadlines.ts), from admission until the first
   * boundary. Always a number here, starting with one: V8 then keeps the field as a double stored
   * in place, where `undefined` first would make every boundary's clock reading a new heap number
   * written into this long-lived object (an allocation and a write-barrier call per request).
   */
  readSince: number | undefined = 0;
  readPausedAt: number | undefined = undefined;
  readonly handlers: HttpHandlers;
  readonly appFulfilled = (): void => {
    this.current?.appSettledWith(undefined, false);
  };
  readonly appRejected = (error: unknown): void => {
    this.current?.appSettledWith(error, true);
  };

  constructor(socket: Socket, http: HttpHandlers) {
    this.socket = socket;
    this.writable = socket;
    this.handlers = http;
    // A connection the guard did not stamp starts its clock on reaching the HTTP layer (the sweep
    // would otherwise start it on first sight, up to one sweep later).
    this.readSince = (socket as DeadlineSocket)[kReadSince] ?? now();
    const addresses = addressesOf(socket);
    this.client = addresses.client;
    this.server = addresses.server;
  }

  cut(): void {
    this.socket.destroy();
  }

  /** destroySoon: end() uncorks and flushes node's pending writes, then the socket is destroyed. */
  cutStarted(): void {
    this.socket.destroySoon();
  }

  busy(): boolean {
    return this.current !== undefined || this.foreign !== undefined;
  }

  done(exchange: HttpExchange): void {
    if (this.current !== exchange) return;
    this.current = undefined;
    markRequestBoundary(this);
    this.next();
  }

  next(): void {
    if (this.closed) return;
    if (this.closeAfter) {
      if (!this.socket.destroyed) this.socket.destroySoon();
      return;
    }
    const queue = this.queue;
    if (queue !== undefined && queue.length > 0) {
      const req = queue.shift() as IncomingMessage;
      const res = queue.shift() as ServerResponse;
      const expectContinue = queue.shift() as boolean;
      if (queue.length <= 3 * PIPELINE_RESUME && this.socket.isPaused()) this.socket.resume();
      this.handlers.dispatch(this, req, res, expectContinue);
    } else if (this.handlers.ctx.stopping) {
      // Graceful stop: a connection that went idle is closed at once.
      this.socket.destroySoon();
    }
  }
}

/** One shared 'close' listener for every connection (no closure per socket). */
function onSlotSocketClose(this: SlotSocket): void {
  const slot = this[kSlot];
  if (slot !== undefined) slot.handlers.closed(slot);
}

function runExchange(exchange: HttpExchange): void {
  exchange.run();
}

/** The first value of a header in node's rawHeaders (case-insensitive name). */
function headerValue(raw: string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}

/** Pipelined requests parsed ahead of the running one; above this many the socket is paused. */
const PIPELINE_LIMIT = 16;
const PIPELINE_RESUME = 4;

/**
 * The node:http side of the server: one set of listeners that any node `http.Server` (later also
 * `https.Server`) can be wired to. Kept free of listen/close logic so more listeners can share it.
 */
export class HttpHandlers {
  readonly ctx: ServerContext;
  readonly slots = new Set<Slot>();
  private readonly handleSse: (ctx: ServerContext, req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Upgraded connections still open (the WebSocket handler's session count): they left the slot
   * table on upgrade and count toward `maxConnections` like any other.
   */
  private readonly countUpgraded: () => number;
  /**
   * Per-request admission (the per-address limit for clients behind a trusted proxy,
   * src/net/connection-guard.ts); it answers the refusal itself. Unset when not needed.
   */
  admitRequest: ((req: IncomingMessage, res: ServerResponse, headers: HeaderList) => boolean) | undefined =
    undefined;
  /** The one pass over a request's headers, reused request after request (read at once, never kept). */
  private readonly facts: RequestHeadFacts = newRequestHeadFacts();

  constructor(
    ctx: ServerContext,
    handleSse: (ctx: ServerContext, req: IncomingMessage, res: ServerResponse) => void,
    countUpgraded: () => number = () => 0,
  ) {
    this.ctx = ctx;
    this.handleSse = handleSse;
    this.countUpgraded = countUpgraded;
  }

  readonly onConnection = (socket: Socket): void => {
    const slot = new Slot(socket, this);
    (socket as SlotSocket)[kSlot] = slot;
    this.slots.add(slot);
    const max = this.ctx.options.maxConnections;
    if (max > 0 && this.connectionCount > max) slot.rejected = true;
    socket.on('close', onSlotSocketClose);
  };

  /** Open connections: HTTP ones (with a slot) and the ones upgraded to WebSocket. */
  get connectionCount(): number {
    return this.slots.size + this.countUpgraded();
  }

  /** The socket closed: its slot is gone, and a request still running learns why. */
  closed(slot: Slot): void {
    slot.closed = true;
    this.slots.delete(slot);
    slot.queue = undefined;
    slot.current?.onSocketClose();
  }

  /**
   * The socket became a WebSocket: the HTTP side lets go of it (its slot, the close listener), so
   * a long-lived connection keeps nothing of the HTTP layer (memory per idle WebSocket). From now
   * on it counts through its WebSocket session. Returns false when the connection was over
   * `maxConnections` when it was accepted: the caller refuses the upgrade.
   */
  releaseUpgraded(socket: Socket): boolean {
    const slot = (socket as SlotSocket)[kSlot];
    if (slot === undefined) return true;
    (socket as SlotSocket)[kSlot] = undefined;
    this.slots.delete(slot);
    socket.off('close', onSlotSocketClose);
    return !slot.rejected;
  }

  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.accept(req, res, false);
  };

  /** `Expect: 100-continue`: the 100 is written on the app's first receive() (§4.1.1). */
  readonly onCheckContinue = (req: IncomingMessage, res: ServerResponse): void => {
    this.accept(req, res, true);
  };

  readonly onClientError = (error: Error & { code?: string }, socket: Duplex): void => {
    const slot = (socket as SlotSocket)[kSlot];
    const exchange = slot?.current;
    if (error.code === 'HPE_CLOSED_CONNECTION') {
      // Bytes after a `Connection: close` request: ignore them, finish the running response, close.
      if (slot !== undefined) slot.closeAfter = true;
      if (exchange === undefined && slot?.foreign === undefined) socket.end();
      return;
    }
    if (exchange?.bodyless && error.code?.startsWith('HPE_')) {
      // The running request was complete; the bad bytes belong to a pipelined one after it.
      // Finish the current response, then close (the rest of the stream can't be trusted).
      slot!.closeAfter = true;
      if (exchange.untouched) exchange.res.shouldKeepAlive = false;
      return;
    }
    if (exchange !== undefined && !exchange.running && error.code?.startsWith('HPE_') && socket.writable) {
      // The body was bad in the very read that carried the head: the app is never called.
      const te = headerValue(exchange.req.rawHeaders, 'transfer-encoding');
      const unsupported =
        error.code === 'HPE_INVALID_TRANSFER_ENCODING' && te !== undefined && !/chunked/i.test(te);
      refuseRaw(
        socket,
        unsupported ? 501 : 400,
        unsupported ? `Transfer-Encoding ${te} is not supported` : 'malformed request body',
      );
      destroyAfterFlush(socket);
      exchange.cancel();
      return;
    }
    if (
      exchange !== undefined &&
      error.code?.startsWith('HPE_') &&
      error.code !== 'HPE_INVALID_EOF_STATE' &&
      exchange.untouched &&
      socket.writable
    ) {
      // A framing error in a later read of a running request: the app learns it through
      // pagi.connection and http.disconnect; the client still gets its 400 since nothing was sent.
      refuseRaw(socket, 400, 'malformed request body');
      destroyAfterFlush(socket);
      exchange.fail('protocol_error');
      return;
    }
    if (exchange !== undefined) {
      // An error under a running request: map it to the §3.10 reason that fits.
      const code = error.code ?? '';
      exchange.abort(
        code === 'ECONNRESET' || code === 'EPIPE' || code === 'HPE_INVALID_EOF_STATE'
          ? 'client_closed'
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 'client_timeout'
            : code.startsWith('HPE_')
              ? 'protocol_error'
              : 'read_error',
      );
      return;
    }
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    let status = 400;
    let detail = 'malformed request';
    switch (error.code) {
      case 'HPE_HEADER_OVERFLOW':
        status = 431;
        detail = `request line and headers exceed ${this.ctx.options.maxHeaderSize} bytes`;
        break;
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        status = 408;
        detail = `headers not received within ${this.ctx.options.headersTimeout} ms`;
        break;
      case 'HPE_INVALID_TRANSFER_ENCODING':
        detail = 'unsupported or malformed Transfer-Encoding';
        break;
      case 'HPE_UNEXPECTED_CONTENT_LENGTH':
        detail = 'both Content-Length and Transfer-Encoding, or a bad Content-Length';
        break;
    }
    this.ctx.logger.debug(`client error ${error.code ?? error.message}: answered ${status}`);
    refuseRaw(socket, status, detail);
    // Stop reading: whatever follows a framing error can't be trusted (request smuggling).
    destroyAfterFlush(socket);
  };

  /**
   * node:http's `'connect'` event. A `CONNECT` pipelined behind a response still being written
   * gets no answer of its own (a 501 now would land in the middle of that response): the running
   * one finishes, then the connection closes.
   */
  readonly onConnect = (req: IncomingMessage, socket: Duplex): void => {
    const slot = (socket as SlotSocket)[kSlot];
    if (slot?.busy()) {
      this.ctx.logger.debug('CONNECT pipelined behind a running request: no answer, closing after it');
      socket.on('error', () => {});
      slot.closeAfter = true;
      return;
    }
    refuseConnect(req, socket);
  };

  private accept(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    const socket = req.socket as SlotSocket;
    let slot = socket[kSlot];
    if (slot === undefined) {
      this.onConnection(socket);
      slot = socket[kSlot]!;
    }
    if (slot.busy()) {
      const queue = (slot.queue ??= []);
      queue.push(req, res, expectContinue);
      if (queue.length >= 3 * PIPELINE_LIMIT) socket.pause();
      return;
    }
    this.dispatch(slot, req, res, expectContinue);
  }

  dispatch(slot: Slot, req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    const options = this.ctx.options;
    if (slot.rejected) {
      refuse(res, 503, `the server is at its connection limit (${options.maxConnections})`, [
        'retry-after',
        '5',
      ]);
      slot.closeAfter = true;
      return;
    }
    const maxRequests = options.maxRequestsPerConnection;
    if (this.ctx.stopping || (maxRequests > 0 && ++slot.requests >= maxRequests)) {
      res.shouldKeepAlive = false;
      slot.closeAfter = true;
    }
    // The scope's header list is built here, once, and the framing headers are read off it
    // (names are lowercase by then, so a plain comparison finds them).
    const raw = req.rawHeaders;
    const headers = headerListFrom(raw);
    const facts = scanRequestHead(headers, this.facts);
    // RFC 9112 rules llhttp lets through (version, Host, Transfer-Encoding on 1.0): 4xx/505, close.
    const refusal = headRefusalOf(req, headers, facts);
    if (refusal !== undefined) {
      refuse(res, refusal[0], refusal[1]);
      slot.closeAfter = true;
      return;
    }
    // An ignored `Upgrade: h2c` & co. that node's parser may have cut short: close after it.
    if (closeAfterIgnoredUpgrade(req)) {
      res.shouldKeepAlive = false;
      slot.closeAfter = true;
    }
    const contentLength = valueAt(headers, facts.contentLengthAt);
    const chunked = facts.transferEncoding;
    const accept = valueAt(headers, facts.acceptAt);
    if (raw.length > 2 * options.maxHeaderCount) {
      // node:http keeps only maxHeadersCount fields and drops the rest silently; it is set one
      // above our limit so that going over is visible here.
      refuse(res, 431, `more than ${options.maxHeaderCount} header fields`);
      slot.closeAfter = true;
      return;
    }
    if (this.admitRequest !== undefined && !this.admitRequest(req, res, headers)) {
      slot.closeAfter = true;
      return;
    }
    if (
      contentLength !== undefined &&
      options.maxBodySize > 0 &&
      Number(contentLength) > options.maxBodySize
    ) {
      refuse(res, 413, `declared body of ${contentLength} bytes exceeds ${options.maxBodySize}`);
      slot.closeAfter = true;
      return;
    }
    if (accept !== undefined && req.method === 'GET' && acceptsEventStream(accept)) {
      this.serveSse(slot, req, res);
      return;
    }
    const bodyless = !chunked && (contentLength === undefined || contentLength === '0');
    // node:http has already refused a Content-Length that is not a plain decimal (HPE_*), and a
    // request with both framings (chunked wins, RFC 9112 §6.3) never gets here with a length.
    const declared = chunked || contentLength === undefined ? -1 : Number(contentLength);
    const exchange = new HttpExchange(this.ctx, slot, req, res, headers, bodyless, expectContinue, declared);
    slot.current = exchange;
    // The app starts on the next tick: a framing error in the same read as the head (a bad chunk
    // size, a forbidden Transfer-Encoding) is reported by node right after the 'request' event, and
    // must stop the request before the app ever sees it.
    // A request without a body can't carry a body framing error, so it runs at once (hot path).
    if (bodyless) exchange.run();
    else nextTick(runExchange, exchange);
  }

  /**
   * An SSE request: the SSE handler owns the response, and the slot moves on once it is done. Its
   * own method, not inline in `dispatch`: the `release` closure would make every call of
   * `dispatch` allocate a context for the variables it captures, SSE or not, and the extra
   * bytecode kept `dispatch` from inlining the exchange's constructor.
   */
  private serveSse(slot: Slot, req: IncomingMessage, res: ServerResponse): void {
    slot.foreign = res;
    const release = (): void => {
      if (slot.foreign !== res) return;
      slot.foreign = undefined;
      slot.next();
    };
    res.on('close', release);
    res.on('finish', release);
    try {
      this.handleSse(this.ctx, req, res);
    } catch (error) {
      this.ctx.logger.error('the SSE handler threw', error);
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    }
  }

  /** Open connections that are not running a request right now. */
  idleSockets(): Socket[] {
    const out: Socket[] = [];
    for (const slot of this.slots) if (!slot.busy()) out.push(slot.socket);
    return out;
  }

  /** Ends every request still running with `reason` and destroys its connection. */
  cutAll(reason: 'server_shutdown'): void {
    for (const slot of this.slots) {
      slot.current?.abort(reason);
      slot.socket.destroy();
    }
  }

  /** Stop keep-alive on every in-flight response whose head is not written yet. */
  drainKeepAlive(): void {
    for (const slot of this.slots) {
      slot.closeAfter = true;
      const res = slot.current?.res;
      if (res !== undefined && !res.headersSent) res.shouldKeepAlive = false;
    }
  }
}
