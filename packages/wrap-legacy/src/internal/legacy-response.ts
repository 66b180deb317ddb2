import { type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { HeaderList, Send, SendEvent } from '@pagi/spec';
import type { BridgeSocket } from './bridge-socket.js';
import { isHopByHop } from './hop-by-hop.js';
import type { LegacyRequest } from './legacy-request.js';

type Callback = (error?: Error | null) => void;
type HttpSend = SendEvent<'http'>;

/** What the response tells the bridge that drives it. */
export interface ResponseOwner {
  /** The final event was accepted by `send()`. */
  finished(): void;
  /** `send()` rejected, or the handler destroyed the response. */
  failed(error: unknown): void;
}

const NO_BODY_STATUS = new Set([204, 205, 304]);
const EMPTY = Buffer.alloc(0);

/**
 * A real `http.ServerResponse` (Express and Koa extend its prototype and read its header
 * store) whose output path is replaced: `writeHead`/`write`/`end` become `http.response.start`,
 * `http.response.body` and `http.response.trailers` events. Node's own header store
 * (`setHeader`, `appendHeader`, `getHeader`, `ERR_HTTP_HEADERS_SENT`) is kept as it is.
 *
 * Backpressure: events go through one queue drained by awaiting `send()`; `write()` returns
 * false once more than `writableHighWaterMark` bytes wait, and `drain` fires when they are gone.
 */
export class LegacyResponse extends ServerResponse {
  #send: Send<'http'>;
  #owner: ResponseOwner;
  #queue: HttpSend[] = [];
  #callbacks: (Callback | undefined)[] = [];
  #pumping = false;
  #buffered = 0;
  #needDrain = false;
  #started = false;
  #ended = false;
  #trailers: HeaderList | undefined;
  #declaredTrailers = false;
  /** Set when the bridge stopped listening (client gone, failure): every write becomes a no-op. */
  #dead = false;

  /** The scope advertises `fullflush` (protocol.md §4.1.6). */
  #fullflush: boolean;

  constructor(
    req: LegacyRequest,
    socket: BridgeSocket,
    send: Send<'http'>,
    owner: ResponseOwner,
    fullflush: boolean,
  ) {
    super(req);
    this.#fullflush = fullflush;
    this.#send = send;
    this.#owner = owner;
    (this as { socket: unknown }).socket = socket;
    // Express swaps the prototype of `res` for its own (`Object.setPrototypeOf(res,
    // app.response)`, which inherits from ServerResponse, not from this class): the overrides
    // are installed as own properties so they survive that. Private fields and methods stay
    // reachable because they live on the instance.
    const proto = LegacyResponse.prototype;
    this.writeHead = proto.writeHead as never;
    this.write = proto.write;
    this.end = proto.end as never;
    this.flushHeaders = proto.flushHeaders as never;
    this.addTrailers = proto.addTrailers;
    this.setTimeout = proto.setTimeout as never;
    this.writeContinue = proto.writeContinue;
    this.writeProcessing = proto.writeProcessing;
    this.writeEarlyHints = proto.writeEarlyHints;
    this.assignSocket = proto.assignSocket;
    this.detachSocket = proto.detachSocket;
  }

  /** true once `http.response.start` was queued. */
  static started(res: LegacyResponse): boolean {
    return res.#started;
  }

  override writeHead(
    statusCode: number,
    reason?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ): this {
    if (this.#started) {
      const error = Object.assign(new Error('Cannot write headers after they are sent to the client'), {
        code: 'ERR_HTTP_HEADERS_SENT',
      });
      throw error;
    }
    const list = typeof reason === 'string' ? headers : reason;
    // The reason phrase is dropped: it does not exist in HTTP/2 and PAGI has no field for it.
    this.statusCode = statusCode;
    if (Array.isArray(list)) {
      if (list.length > 0 && Array.isArray(list[0])) {
        for (const pair of list as unknown as [string, string][]) this.#writeHeadField(pair[0], pair[1]);
      } else {
        // Flat [name, value, name, value]: repeated names are kept, as Node does.
        for (let i = 0; i + 1 < list.length; i += 2)
          this.#writeHeadField(String(list[i]), list[i + 1] as OutgoingHttpHeader);
      }
    } else if (list !== undefined) {
      for (const name of Object.keys(list)) {
        const value = list[name];
        if (value !== undefined) this.setHeader(name, value);
      }
    }
    this.#start(undefined);
    return this;
  }

  #seenInWriteHead: Set<string> | undefined;
  #writeHeadField(name: string, value: OutgoingHttpHeader): void {
    const lower = name.toLowerCase();
    this.#seenInWriteHead ??= new Set();
    // The first occurrence in writeHead replaces a setHeader value; later ones append.
    if (!this.#seenInWriteHead.has(lower)) {
      this.#seenInWriteHead.add(lower);
      this.setHeader(name, value);
    } else {
      this.appendHeader(name, typeof value === 'number' ? String(value) : value);
    }
  }

  override flushHeaders(): void {
    if (this.#started) return;
    this.#start(undefined);
    // The server writes the head with the first body event: an empty one pushes it out.
    this.#enqueue({ type: 'http.response.body', body: EMPTY, more: true }, undefined);
    if (this.#fullflush) this.#enqueue({ type: 'http.fullflush' }, undefined);
  }

  override addTrailers(headers: OutgoingHttpHeaders | readonly [string, string][]): void {
    this.#trailers ??= [];
    const entries = Array.isArray(headers) ? headers : Object.entries(headers);
    for (const [name, value] of entries as [string, unknown][]) {
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      if (Array.isArray(value)) for (const v of value) this.#trailers.push([lower, String(v)]);
      else this.#trailers.push([lower, String(value)]);
    }
  }

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (this.#ended) {
      this.#writeAfterEnd(callback as Callback | undefined);
      return false;
    }
    const bytes = toBuffer(chunk, encoding as BufferEncoding | undefined);
    if (!this.#started) this.#start(undefined);
    if (bytes.byteLength === 0) {
      if (typeof callback === 'function') process.nextTick(callback as Callback);
      return !this.#needDrain;
    }
    this.#enqueue({ type: 'http.response.body', body: bytes, more: true }, callback as Callback | undefined);
    if (this.#buffered >= this.writableHighWaterMark) {
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    if (typeof chunk === 'function') {
      callback = chunk;
      chunk = undefined;
    } else if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (this.#ended) {
      if (typeof callback === 'function') process.nextTick(callback as Callback);
      return this;
    }
    const bytes =
      chunk === undefined || chunk === null ? undefined : toBuffer(chunk, encoding as BufferEncoding);
    if (!this.#started) this.#start(bytes);
    this.#ended = true;
    this.finished = true;
    const body: HttpSend =
      bytes === undefined || bytes.byteLength === 0 || NO_BODY_STATUS.has(this.statusCode)
        ? { type: 'http.response.body', more: false }
        : { type: 'http.response.body', body: bytes, more: false };
    if (this.#declaredTrailers) {
      this.#enqueue(body, undefined);
      this.#enqueue({ type: 'http.response.trailers', headers: this.#trailers ?? [] }, callback as Callback);
    } else {
      this.#enqueue(body, callback as Callback | undefined);
    }
    return this;
  }

  override setTimeout(): this {
    return this;
  }

  override writeContinue(): void {
    // The PAGI server sends 100 Continue itself on the first receive() (protocol.md §4.1.1).
  }

  override writeProcessing(): void {}

  override writeEarlyHints(): void {}

  override assignSocket(): void {}

  override detachSocket(): void {}

  /** The bridge stops forwarding: later writes are dropped, queued ones are not sent. */
  static kill(res: LegacyResponse): void {
    res.#dead = true;
    res.#queue.length = 0;
    res.#callbacks.length = 0;
  }

  /** Sends a plain 500 in place of a response the handler never started (D-12). */
  static sendInternalError(res: LegacyResponse): void {
    res.#sendInternalError();
  }

  #sendInternalError(): void {
    if (this.#started) return;
    this.#started = true;
    (this as unknown as { _header: string })._header = ' ';
    this.#ended = true;
    this.finished = true;
    this.#queue.push(
      {
        type: 'http.response.start',
        status: 500,
        headers: [
          ['content-type', 'text/plain; charset=utf-8'],
          ['content-length', '21'],
        ],
      },
      { type: 'http.response.body', body: 'Internal Server Error', more: false },
    );
    this.#callbacks.push(undefined, undefined);
    if (!this.#pumping) void this.#pump();
  }

  /** Builds the start event from Node's header store; `endBody` is the whole body when known. */
  #start(endBody: Buffer | undefined): void {
    this.#started = true;
    // Node's own guard: setHeader/removeHeader now throw ERR_HTTP_HEADERS_SENT.
    (this as unknown as { _header: string })._header = ' ';
    const headers: HeaderList = [];
    let hasLength = false;
    let hasTrailer = false;
    for (const name of this.getHeaderNames()) {
      if (isHopByHop(name)) continue;
      const value = this.getHeader(name);
      if (value === undefined) continue;
      if (name === 'content-length') hasLength = true;
      else if (name === 'trailer') hasTrailer = true;
      if (Array.isArray(value)) for (const v of value) headers.push([name, v]);
      else headers.push([name, typeof value === 'string' ? value : String(value)]);
    }
    const status = this.statusCode;
    // Node frames a response given whole to end() with Content-Length; so do we, which spares
    // the server its chunked framing for the common `res.end(body)`.
    if (endBody !== undefined && !hasLength && !hasTrailer && !NO_BODY_STATUS.has(status))
      headers.push(['content-length', String(endBody.byteLength)]);
    this.#declaredTrailers = hasTrailer;
    this.#enqueue(
      hasTrailer
        ? { type: 'http.response.start', status, headers, trailers: true }
        : { type: 'http.response.start', status, headers },
      undefined,
    );
  }

  #enqueue(event: HttpSend, callback: Callback | undefined): void {
    if (this.#dead) {
      if (callback !== undefined) process.nextTick(callback);
      return;
    }
    const body = (event as { body?: Uint8Array }).body;
    if (body !== undefined) {
      this.#buffered += body.byteLength;
      // Node's writableLength getter reads outputSize.
      (this as unknown as { outputSize: number }).outputSize = this.#buffered;
    }
    this.#queue.push(event);
    this.#callbacks.push(callback);
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const event = this.#queue.shift() as HttpSend;
        const callback = this.#callbacks.shift();
        await this.#send(event);
        const body = (event as { body?: Uint8Array }).body;
        if (body !== undefined) {
          this.#buffered -= body.byteLength;
          (this as unknown as { outputSize: number }).outputSize = this.#buffered;
        }
        if (callback !== undefined) callback();
      }
    } catch (error) {
      this.#pumping = false;
      this.#owner.failed(error);
      return;
    }
    this.#pumping = false;
    if (this.#dead) return;
    if (this.#needDrain) {
      this.#needDrain = false;
      this.emit('drain');
    }
    if (this.#ended && this.#queue.length === 0) {
      this.#owner.finished();
      this.emit('finish');
      process.nextTick(emitClose, this);
    }
  }

  #writeAfterEnd(callback: Callback | undefined): void {
    const error = Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
    process.nextTick(() => {
      callback?.(error);
      // Node emits 'error' here; with nobody listening that would crash the whole server.
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
  }
}

function emitClose(res: LegacyResponse): void {
  res.emit('close');
}

function toBuffer(chunk: unknown, encoding: BufferEncoding | undefined): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw Object.assign(
    new TypeError(
      `The "chunk" argument must be of type string or an instance of Buffer or Uint8Array, got ${typeof chunk}`,
    ),
    { code: 'ERR_INVALID_ARG_TYPE' },
  );
}
