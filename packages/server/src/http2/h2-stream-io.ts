import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { kExchange } from '../http/body-reader.js';
import { type FinishHook, kFinishHook } from '../http/pagi-response.js';

/**
 * The request and response of a plain HTTP/2 exchange written straight on node's core stream API
 * (`stream.respond`/`write`/`end`/`sendTrailers`), in place of node's compatibility objects: those
 * add a dozen listeners and two extra streams per request and cost about half of the server's CPU
 * on a hello world (apps/bench/http2.mjs). They offer the exact subset of node:http's request and
 * response that the body reader and the response writer (src/http/) use, so both versions keep
 * one send-order machine. SSE, WebSocket, `expect` and refusals still go through the
 * compatibility objects (http2-handler.ts), which are built only for those.
 */

const kIo: unique symbol = Symbol('pagi.h2-io');
type IoStream = ServerHttp2Stream & { [kIo]?: H2StreamResponse };

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

/** Shared listeners (no closure per stream); the response is found on the stream. */
function onStreamFinish(this: IoStream): void {
  const res = this[kIo];
  // A reset ends the writable side too (node's closeStream); that is no delivered response.
  if (res === undefined || this.aborted || (this.rstCode ?? 0) !== 0) return;
  // kIo stays: nghttp2 asks for the trailers ('wantTrailers') after the writable side finished.
  res[kFinishHook]?.onFinish();
}

function onWantTrailers(this: IoStream): void {
  const res = this[kIo];
  this.sendTrailers(res?.trailerFields ?? {});
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

  constructor(stream: ServerHttp2Stream, head: boolean) {
    this.stream = stream;
    this.head = head;
    (stream as IoStream)[kIo] = this;
    stream.on('finish', onStreamFinish);
    stream.on('error', ignoreError);
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
    const fields: OutgoingHttpHeaders = { ':status': status };
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
      const prior = fields[name];
      if (prior === undefined) fields[name] = value;
      else if (Array.isArray(prior)) prior.push(value);
      else fields[name] = [prior as string, value];
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
      this.stream.once('wantTrailers', onWantTrailers);
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
    const last = chunk === undefined ? 0 : sizeOf(chunk);
    if (this.expected >= 0 && this.written + last !== this.expected)
      throw contentLengthMismatch(this.written + last, this.expected);
    const stream = this.stream;
    if (this.fields !== undefined) {
      if (last === 0 || this.noBody) {
        this.respond(true);
        // respond({ endStream: true }) ends the writable side itself.
        if (!stream.writableEnded) stream.end();
        return this;
      }
      this.respond(false);
    }
    if (last === 0 || this.noBody) stream.end();
    else stream.end(chunk);
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
type EndStream = ServerHttp2Stream & { [kReq]?: H2StreamRequest };
const kReq: unique symbol = Symbol('pagi.h2-req');

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
    if (!stream.endAfterHeaders) {
      (stream as EndStream)[kReq] = this;
      stream.on('end', onRequestStreamEnd);
    }
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

  /** The body reader's 'readable'/'end' listeners go on the stream; they find the exchange there. */
  on(event: string, listener: (...args: unknown[]) => void): this {
    const stream = this.stream as ServerHttp2Stream & { [kExchange]?: unknown };
    stream[kExchange] = this[kExchange];
    stream.on(event, listener);
    return this;
  }
}

function onRequestStreamEnd(this: EndStream): void {
  setImmediate(confirmBodyEnd, this);
}

function confirmBodyEnd(stream: EndStream): void {
  const req = stream[kReq];
  stream[kReq] = undefined;
  if (req === undefined || stream.aborted || (stream.rstCode ?? 0) !== 0) return;
  req[kBodyEnded] = true;
  // Wakes a receive() that is waiting (body-reader.ts listens for 'readable' on the stream).
  stream.emit('readable');
}
