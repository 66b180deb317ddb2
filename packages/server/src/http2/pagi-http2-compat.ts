import { Http2ServerRequest, Http2ServerResponse, type ServerHttp2Stream } from 'node:http2';
import { type FinishHook, kFinishHook } from '../http/pagi-response.js';

/**
 * The request class the server gives node:http2 (`createServer({ Http2ServerRequest })`): it
 * reports `httpVersion` as protocol.md's `'2'` (node says `'2.0'`), so the scope, the access log
 * and the response writer need no version mapping of their own.
 */
/**
 * `complete` (read by the body reader): the body arrived whole (END_STREAM), not cut by a reset.
 * node ends the stream's readable side for both and only learns of the reset (`stream.aborted`)
 * a moment later, so the end is confirmed one turn of the event loop after it; until then the
 * body reader waits.
 */
export class PagiHttp2Request extends Http2ServerRequest {
  declare [kBodyEnded]: boolean | undefined;

  constructor(stream: ServerHttp2Stream, ...rest: unknown[]) {
    // node calls it with (stream, headers, options, rawHeaders), which @types/node does not declare.
    super(stream, ...(rest as [any, any, any]));
    if (!stream.endAfterHeaders) {
      (stream as StreamWithRequest)[kRequest] = this;
      stream.on('end', onRequestStreamEnd); // fires once
    }
  }
}
Object.defineProperty(PagiHttp2Request.prototype, 'complete', {
  get(this: PagiHttp2Request): boolean {
    return this[kBodyEnded] === true || this.stream.endAfterHeaders;
  },
  configurable: true,
});
// An accessor on the prototype (node defines httpVersion as a getter there too).
Object.defineProperty(PagiHttp2Request.prototype, 'httpVersion', {
  get(): string {
    return '2';
  },
  configurable: true,
});

const kBodyEnded: unique symbol = Symbol('pagi.h2-body-ended');
const kRequest: unique symbol = Symbol('pagi.h2-request');
type StreamWithRequest = ServerHttp2Stream & { [kRequest]?: PagiHttp2Request };

function onRequestStreamEnd(this: StreamWithRequest): void {
  setImmediate(confirmBodyEnd, this);
}

function confirmBodyEnd(stream: StreamWithRequest): void {
  const req = stream[kRequest];
  stream[kRequest] = undefined;
  if (req === undefined || stream.aborted || (stream.rstCode ?? 0) !== 0) return;
  req[kBodyEnded] = true;
  // Wakes a receive() that is waiting (body-reader.ts listens for 'readable' and 'end').
  req.emit('readable');
}

const kResponse: unique symbol = Symbol('pagi.h2-response');
type StreamWithResponse = ServerHttp2Stream & { [kResponse]?: PagiHttp2Response };

function onStreamFinish(this: StreamWithResponse): void {
  const res = this[kResponse];
  this[kResponse] = undefined;
  // A reset ends the writable side too (node's closeStream); that is no delivered response.
  if (this.aborted || (this.rstCode ?? 0) !== 0) return;
  res?.emitFinish();
}

const parentEmit = Http2ServerResponse.prototype.emit;
const kExpected: unique symbol = Symbol('pagi.h2-content-length');
const kWritten: unique symbol = Symbol('pagi.h2-written');

function sizeOf(chunk: string | Uint8Array): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

/** node:http's error for the same mistake (ERR_HTTP_CONTENT_LENGTH_MISMATCH). */
function contentLengthMismatch(written: number, expected: number): Error {
  const error = new Error(
    `Response body's content-length of ${written} byte(s) does not match the content-length of ${expected} byte(s) set in header`,
  ) as Error & { code: string };
  error.code = 'ERR_HTTP_CONTENT_LENGTH_MISMATCH';
  return error;
}

/**
 * The response class the server gives node:http2. node's compatibility response emits `'finish'`
 * when the stream closes — also when the client reset it before the response was complete — so a
 * reset stream would look delivered and the app would never learn of the disconnect (the bug the
 * upstream server has). Here `'finish'` means what it means on HTTP/1.1: the stream's writable
 * side finished (END_STREAM handed to nghttp2). A reset shows up as the stream's `'close'`
 * without it.
 */
export class PagiHttp2Response extends Http2ServerResponse {
  constructor(stream: ServerHttp2Stream) {
    super(stream);
    (stream as StreamWithResponse)[kResponse] = this;
    stream.on('finish', onStreamFinish); // fires once
  }

  /** The app's `content-length` while node:http's `strictContentLength` rule applies, and the bytes written. */
  declare [kExpected]: number | undefined;
  declare [kWritten]: number;

  /**
   * node:http2 sends whatever it is given after a `content-length`, which makes the response
   * malformed (RFC 9113 §8.1.1). Like node:http with `strictContentLength` (which the response
   * writer sets when the app sent one), a write past it, or an end short of it, throws, so the
   * exchange resets the stream instead.
   */
  // node's overloads (status, [message], headers)
  override writeHead(status: number, ...rest: any[]): this {
    const headers = rest[rest.length - 1];
    if ((this as { strictContentLength?: boolean }).strictContentLength === true && Array.isArray(headers)) {
      for (let i = 0; i < headers.length; i += 2) {
        if (headers[i] === 'content-length') {
          this[kExpected] = Number(headers[i + 1]);
          this[kWritten] = 0;
        }
      }
    }
    return super.writeHead(status, ...(rest as [])) as this;
  }

  // node's overloads (chunk, [encoding], [callback])
  override write(chunk: any, ...rest: any[]): boolean {
    if (this[kExpected] !== undefined) this.count(chunk);
    return super.write(chunk, ...(rest as [])) as boolean;
  }

  // node's overloads ([chunk], [encoding], [callback])
  override end(chunk?: any, ...rest: any[]): this {
    const expected = this[kExpected];
    if (expected !== undefined) {
      // node's end(chunk) writes the chunk through write() (counted there).
      const last = chunk === undefined || chunk === null || typeof chunk === 'function' ? 0 : sizeOf(chunk);
      if (this[kWritten] + last !== expected) throw contentLengthMismatch(this[kWritten] + last, expected);
    }
    return super.end(chunk, ...(rest as [])) as this;
  }

  private count(chunk: string | Uint8Array): void {
    this[kWritten] += sizeOf(chunk);
    if (this[kWritten] > this[kExpected]!) throw contentLengthMismatch(this[kWritten], this[kExpected]!);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'finish') return false; // compat's own, on stream close: see the class comment
    return parentEmit.call(this, event, ...args);
  }

  /** The exchange to tell about `'finish'` without a listener per response (as PagiServerResponse does). */
  declare [kFinishHook]: FinishHook | undefined;

  /** The stream's writable side finished. */
  emitFinish(): void {
    parentEmit.call(this, 'finish');
    this[kFinishHook]?.onFinish();
  }
}

/** Whether the response was delivered: a reset stream's writable side "finishes" too (see above). */
Object.defineProperty(PagiHttp2Response.prototype, 'writableFinished', {
  get(this: PagiHttp2Response): boolean {
    const stream = this.stream;
    return stream.writableFinished && !stream.aborted && (stream.rstCode ?? 0) === 0;
  },
  configurable: true,
});
