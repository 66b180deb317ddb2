import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { kExchange } from '../http/body-reader.js';
import { type FinishHook, kFinishHook } from '../http/pagi-response.js';
import { FIELD_PLACES, seenBefore, storeAtPlace } from '../internal/field-places.js';
import { listenQuietly } from './stream-listener.js';

/**
 * The request and response of a plain HTTP/2 exchange written straight on node's core stream API
 * (`stream.respond`/`write`/`end`/`sendTrailers`), in place of node's compatibility objects: those
 * add a dozen listeners and two extra streams per request and cost about half of the server's CPU
 * on a hello world (apps/bench/http2.mjs). They offer the exact subset of node:http's request and
 * response that the body reader and the response writer (src/http/) use, so both versions keep
 * one send-order machine. SSE, WebSocket, `expect` and refusals still go through the
 * compatibility objects (http2-handler.ts), which are built only for those.
 *
 * Nothing is stored on node's stream object: a property added after construction gives the
 * streams a second hidden class, and node's own per-frame code (its stream getters, respond,
 * onStreamClose) then runs megamorphic (callgrind, apps/bench/http2-instructions.mjs). What a
 * listener needs to know travels in a closure instead.
 */

/** Statuses after which nghttp2 sends no DATA (node's respond forces END_STREAM too). */
function carriesNoBody(status: number, head: boolean): boolean {
  return head || status === 204 || status === 205 || status === 304;
}

/** node:http's error for the same mistake (ERR_HTTP_CONTENT_LENGTH_MISMATCH). */
function contentLengthMismatch(written: number, expected: number): Error {
  const error = new Error(
    `Response body's content-length of ${written} byte(s) does not match the content-length of ${expected} byte(s) set in header`,
  ) as Error & { code: string };
  error.code = 'ERR_HTTP_CONTENT_LENGTH_MISMATCH';
  return error;
}

function sizeOf(chunk: string | Uint8Array): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

const hasOwn = Object.hasOwn;

/**
 * Stores a response field on the object node:http2 takes. The object keeps Object.prototype (a
 * null-prototype object is a dictionary, slower for node's copy of it in respond()), so the one
 * name a plain store cannot create, `__proto__`, is defined as an own property.
 */
function setField(fields: OutgoingHttpHeaders, name: string, value: string | string[]): void {
  if (name === '__proto__')
    Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
  else fields[name] = value;
}

// respond() copies its options; shared ones save an object per stream.
const END_STREAM = Object.freeze({ endStream: true });
const WAIT_FOR_TRAILERS = Object.freeze({ waitForTrailers: true });

/** Stream errors (a reset with an error code) reach the exchange as the stream's 'close'. */
function ignoreError(): void {}

/** What the exchange tells the response about the head it writes (trailers promised). */
export interface H2ResponseOwner extends FinishHook {
  readonly trailers: boolean;
}

/**
 * The response side: node:http's `writeHead(status, flat)`, `write`, `end`, `addTrailers`,
 * `writableLength`, `headersSent`. The head goes out with the first byte (or the end), so a
 * start + final body is one HEADERS frame and one DATA frame with END_STREAM, or a lone HEADERS
 * frame with END_STREAM when there is no body.
 */
export class H2StreamResponse {
  readonly stream: ServerHttp2Stream;
  readonly head: boolean;
  headersSent = false;
  /** Meaningless per stream; written by the shared writer (node:http's keep-alive flag). */
  shouldKeepAlive = true;
  /** Set by the writer when the app sent a content-length (node:http's rule, kept here). */
  strictContentLength = false;
  declare [kFinishHook]: H2ResponseOwner | undefined;
  trailerFields: OutgoingHttpHeaders | undefined = undefined;
  private fields: OutgoingHttpHeaders | undefined = undefined;
  private expected = -1;
  private written = 0;
  private noBody = false;
  /** `end()` reached node: the whole response is with the stream. */
  private ended = false;
  private finishReported = false;
  /**
   * `stream.end()`'s callback, in place of a 'finish' listener (each listener on an HTTP/2 stream
   * also runs node's 'newListener' hook: ~2.5k instructions). Called with null on 'finish', with
   * an error when the stream was destroyed first (see streamClosed).
   */
  private readonly onEnded = (error?: Error | null): void => {
    if (error == null) this.reportFinish();
  };

  constructor(stream: ServerHttp2Stream, head: boolean) {
    this.stream = stream;
    this.head = head;
    listenQuietly(stream, 'error', ignoreError);
  }

  private reportFinish(): void {
    const stream = this.stream;
    // A reset ends the writable side too (node's closeStream); that is no delivered response.
    if (this.finishReported || stream.aborted || (stream.rstCode ?? 0) !== 0) return;
    this.finishReported = true;
    this[kFinishHook]?.onFinish();
  }

  /**
   * The stream's 'close' (StreamSlot), before the exchange hears of it. node skips 'finish' when
   * the stream closes before its shutdown completes (a HEAD request, whose writable side node ends
   * at once; a request whose body the app read to the end), so a response that was ended and
   * closed with NO_ERROR on a live connection counts as delivered here (RFC 9113 §5.1: both
   * sides sent END_STREAM). A session destroyed under the stream also closes it with NO_ERROR.
   */
  streamClosed(sessionDestroyed: boolean): void {
    if (this.ended && !sessionDestroyed) this.reportFinish();
  }

  get writableLength(): number {
    return this.stream.writableLength;
  }

  get writableFinished(): boolean {
    const stream = this.stream;
    return stream.writableFinished && !stream.aborted && (stream.rstCode ?? 0) === 0;
  }

  /** The head as node:http's `writeHead(status, [name, value, …])`; sent with the first byte. */
  writeHead(status: number, flat: string[]): this {
    // `date: undefined` is a slot for node's own Date header (respond() fills it when the app sent
    // none; an app's value overwrites it below): adding the key inside node's null-prototype copy
    // of these fields missed its inline cache on every response (~4k instructions, callgrind).
    const fields: OutgoingHttpHeaders = { ':status': status, date: undefined };
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i]!;
      const value = flat[i + 1]!;
      // node's compatibility response drops `connection` too (RFC 9113 §8.2.2); the rest of the
      // connection-specific fields make respond() throw, which the writer turns into a reset.
      if (name === 'connection') continue;
      if (name === 'content-length' && this.strictContentLength) {
        this.expected = Number(value);
        this.written = 0;
      }
      if (i < FIELD_PLACES * 2 && name !== '__proto__' && !seenBefore(flat, i, name)) {
        // A name new to this head: `date` fills node's slot, any other is stored from its place's site.
        if (name === 'date') fields.date = value;
        else storeAtPlace(fields, i >> 1, name, value);
        continue;
      }
      // Own properties only: `constructor` would otherwise read Object's, and `__proto__` would
      // set the prototype instead of a field (both are valid field names).
      const prior = hasOwn(fields, name) ? fields[name] : undefined;
      if (prior === undefined) setField(fields, name, value);
      else if (Array.isArray(prior)) prior.push(value);
      else setField(fields, name, [prior as string, value]);
    }
    if (status < 200) throw new Error(`HTTP/2 response status ${status} is not a final status`);
    this.fields = fields;
    this.noBody = carriesNoBody(status, this.head);
    this.headersSent = true;
    return this;
  }

  private respond(endStream: boolean): void {
    const fields = this.fields!;
    this.fields = undefined;
    const trailers = this[kFinishHook]?.trailers === true && !this.noBody;
    if (trailers) {
      // nghttp2 asks for the trailers ('wantTrailers') once the body is out.
      this.stream.once('wantTrailers', () => {
        this.stream.sendTrailers(this.trailerFields ?? {});
      });
      this.stream.respond(fields, WAIT_FOR_TRAILERS);
    } else this.stream.respond(fields, endStream ? END_STREAM : undefined);
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.expected >= 0) {
      this.written += sizeOf(chunk);
      if (this.written > this.expected) throw contentLengthMismatch(this.written, this.expected);
    }
    if (this.fields !== undefined) this.respond(false);
    if (this.noBody) return true;
    return this.stream.write(chunk);
  }

  end(chunk?: string | Uint8Array): this {
    if (this.expected >= 0) {
      const total = this.written + (chunk === undefined ? 0 : sizeOf(chunk));
      if (total !== this.expected) throw contentLengthMismatch(total, this.expected);
    }
    // Empty or not is all the rest needs (no UTF-8 byte count of a string body).
    const last = chunk === undefined ? 0 : typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    const stream = this.stream;
    this.ended = true;
    if (this.fields !== undefined) {
      if (last === 0 || this.noBody) {
        // respond({ endStream: true }) ends the writable side itself; end() only adds the callback.
        this.respond(true);
        stream.end(this.onEnded);
        return this;
      }
      this.respond(false);
    }
    if (last === 0 || this.noBody) stream.end(this.onEnded);
    else stream.end(chunk, this.onEnded);
    return this;
  }

  /** Trailers as node:http2 takes them (an object; a repeated name as a list). */
  addTrailers(fields: OutgoingHttpHeaders): void {
    this.trailerFields = fields;
  }

  /** Not reached (an `expect` request goes through the compatibility objects); kept for the interface. */
  writeContinue(): void {
    this.stream.additionalHeaders({ ':status': constants.HTTP_STATUS_CONTINUE });
  }
}

const kBodyEnded: unique symbol = Symbol('pagi.h2-body-ended');

/**
 * The request side: what the scope, the access log and the body reader read of node:http's
 * request (`method`, `url`, `httpVersion` as protocol.md's `'2'`, `rawHeaders`, and the readable
 * interface of the stream itself). `complete` means the body arrived whole (END_STREAM), not cut
 * by a reset: node ends the readable side for both and learns of the reset a moment later, so
 * the end is confirmed one turn of the event loop after it (as pagi-http2-compat.ts does).
 */
export class H2StreamRequest {
  readonly stream: ServerHttp2Stream;
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: string[];
  readonly httpVersion = '2';
  [kBodyEnded] = false;
  declare [kExchange]: unknown;

  constructor(stream: ServerHttp2Stream, method: string, url: string, rawHeaders: string[]) {
    this.stream = stream;
    this.method = method;
    this.url = url;
    this.rawHeaders = rawHeaders;
    if (!stream.endAfterHeaders)
      stream.on('end', () => {
        setImmediate(confirmBodyEnd, this);
      });
  }

  get complete(): boolean {
    return this[kBodyEnded] || this.stream.endAfterHeaders;
  }

  get aborted(): boolean {
    return this.stream.aborted;
  }

  get readableLength(): number {
    return this.stream.readableLength;
  }

  read(): Buffer | null {
    return this.stream.read() as Buffer | null;
  }

  /**
   * The body reader's 'readable'/'end' listeners go on the stream, called on this request (they
   * find the exchange in its `kExchange`, which the reader sets here).
   */
  on(event: string, listener: (this: H2StreamRequest) => void): this {
    this.stream.on(event, () => {
      listener.call(this);
    });
    return this;
  }
}

function confirmBodyEnd(req: H2StreamRequest): void {
  const stream = req.stream;
  if (stream.aborted || (stream.rstCode ?? 0) !== 0) return;
  req[kBodyEnded] = true;
  // Wakes a receive() that is waiting (body-reader.ts listens for 'readable' on the stream).
  stream.emit('readable');
}
