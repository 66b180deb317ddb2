import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  HttpSendOrder,
  httpSendNext,
  httpSendOrderError,
  PagiStateError,
  PagiUnknownEventError,
  PagiValidationError,
} from '@pagi/spec';
import type { ServerContext } from '../internal/context.js';
import type { ConnectionSlot } from './connection-slot.js';
import { fileRange, openFileSource } from './file-source.js';
import { RequestBodyReader } from './request-body.js';
import { flattenHeaders, flattenInto } from './response-headers.js';

// Where the response is on the wire. Which event may come next is @pagi/spec's HttpSendOrder
// (the same table the send validator uses); these add what only the writer needs to know.
const INIT = 0;
const STARTED = 1; // start accepted, head not written yet (kept so start + final body is one write)
const STREAMING = 2; // head written, body open
const BODY_DONE = 3; // final body written, trailers promised
const SENDING_FILE = 4; // a file body is being streamed; it finishes the body
const ENDED = 5; // res.end() called

/** The send-order state of each wire state (a file being streamed has finished the body). */
const ORDER_STEP = Int8Array.from([
  HttpSendOrder.INIT,
  HttpSendOrder.STARTED,
  HttpSendOrder.STARTED,
  HttpSendOrder.BODY_DONE,
  HttpSendOrder.COMPLETE,
  HttpSendOrder.COMPLETE,
]);

const RESOLVED: Promise<void> = Promise.resolve();
const FILE_CHUNK = 64 * 1024;

function noop(): void {}
/** A rejected promise that can't become an unhandled rejection if the app ignores it. */
function rejected(error: unknown): Promise<never> {
  const p = Promise.reject(error);
  p.catch(noop);
  return p;
}

/**
 * The response side of an HTTP exchange: the app's `send()` — the §5.1 order (from @pagi/spec),
 * the head and body writes with backpressure, file bodies, trailers — and the D-12 backstop that
 * answers for an app that did not finish its response.
 */
export abstract class ResponseWriter extends RequestBodyReader {
  private readonly head: boolean;
  protected out = INIT;
  protected status = 0;
  /** The response head as `writeHead` takes it (filled by flattenInto). */
  flat: string[] | undefined = undefined;
  /** The app's `content-length` value, if it set one. */
  contentLength: string | undefined = undefined;
  private trailers = false;
  bytesSent = 0;

  constructor(
    ctx: ServerContext,
    slot: ConnectionSlot,
    req: IncomingMessage,
    res: ServerResponse,
    bodyless: boolean,
    expectContinue: boolean,
    declaredLength: number,
  ) {
    super(ctx, slot, req, res, bodyless, expectContinue, declaredLength);
    this.head = req.method === 'HEAD';
  }

  get untouched(): boolean {
    return this.out === INIT && !this.res.headersSent;
  }

  /** The app's response is complete on its side (ended, or its file body is being streamed). */
  protected outputFinished(): boolean {
    return this.out === ENDED || this.out === SENDING_FILE;
  }

  /** The app may send nothing more: the server answers or the request was cut. */
  protected endOutput(): void {
    this.started = true;
    this.out = ENDED;
  }

  protected answerBodyTooLarge(): boolean {
    if (!this.untouched) return false;
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
    return true;
  }

  /** Throws the order's PagiStateError when §5.1 refuses an event of `kind` now. */
  private checkOrder(kind: number): void {
    const step = ORDER_STEP[this.out]!;
    if (httpSendNext(step, kind, this.trailers) < 0) throw httpSendOrderError(step, kind, this.trailers);
  }

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

  /**
   * D-12 (amended 2026-12-04): whatever the app did, the client can tell a failed response from a
   * good one. Nothing on the wire yet: a complete 500. A body already on its way: the response is
   * aborted (see abortStarted) so the client sees the truncation instead of a cleanly ended
   * message. Only what can't lose anything ends cleanly: promised trailers never sent (the body
   * was complete) and a response that carries no body (HEAD, 1xx/204/304).
   */
  protected backstop(threw: boolean, line: string): void {
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
}
