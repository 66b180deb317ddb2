/**
 * Bounded buffering of a response body, for middleware that need the whole body before they can
 * write the head (an ETag, a checksum, a rewritten HTML page): up to `limit` bytes are held; a
 * body that completes within it is handed to `finish`, which returns the response to send; a
 * larger body, a file body, a fullflush or trailers make it stream on unchanged, the held chunks
 * first, so nothing is ever held beyond the limit.
 */
import { concatBytes, toBytes } from '../bytes.js';
import { PagiValidationError } from '../errors.js';
import type { HeaderList, HttpResponseStartEvent, HttpScope, ProtocolApp, Receive, Send } from '../types.js';
import { KitResponseStart } from './kit-start.js';
import { isUntransformable } from './response-skip.js';
import { SETTLED } from '../settled.js';
import type { FileBodyEvent } from './transform-body.js';

/** The complete response `finish` returns. */
export interface BufferedResponse {
  status: number;
  headers: HeaderList;
  body: Uint8Array | string;
}

export interface BufferBodyOptions {
  /** Bodies larger than this many bytes stream through unchanged. */
  limit: number;
  /**
   * Responses for which this returns true are not held at all (streamed unchanged from the start),
   * e.g. a response that already has the header the middleware would add.
   */
  skip?: (start: HttpResponseStartEvent) => boolean;
  /**
   * Called when the first body event of a held response is a `file`/`fh` body (which is never
   * read here): the headers it returns replace the start's before it goes out (`undefined`: no
   * change). E.g. an ETag from the file's size and mtime.
   */
  onFile?: (start: HttpResponseStartEvent, event: FileBodyEvent) => Promise<HeaderList | undefined>;
  /**
   * When true, a body the app sends as one string in one final event reaches `finish` as that
   * string (its UTF-8 length counts against `limit`), not encoded to bytes: for a `finish` that
   * can hash or scan a string as well, this saves an encode and a buffer per response.
   */
  keepString?: boolean;
}

/**
 * What `send` returns for a start it holds back: the spec's {@link SETTLED}, since holding it
 * finished synchronously (a caller such as `Response#send` may hand the body over at once).
 */
const HELD: Promise<void> = SETTLED;

/**
 * true when `text` encodes to at most `limit` bytes of UTF-8. A UTF-16 code unit never takes
 * more than 3 bytes, so a string of up to `limit / 3` units fits without counting: the count
 * walks every character, and a body far under the limit (the usual case) skips it.
 */
function fitsUtf8(text: string, limit: number): boolean {
  return text.length * 3 <= limit || utf8Length(text) <= limit;
}

/** The UTF-8 length of `text` (a lone surrogate counts 3, as its U+FFFD replacement). */
function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // a pair: 2 code units, 4 bytes
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/**
 * Runs `app`, holding its response (up to `options.limit` bytes) so `finish(start, body)` can
 * replace it with a complete one. HEAD, 1xx/204/304 and ranged responses are not held.
 *
 * @example
 * http: (scope, receive, send, app) =>
 *   bufferBody(app, scope, receive, send, { limit: 1 << 20 }, (start, body) => ({
 *     status: start.status, headers: setHeader(start.headers ?? [], 'etag', tagOf(body)), body,
 *   }))
 */
export function bufferBody(
  app: ProtocolApp<'http'>,
  scope: HttpScope,
  receive: Receive<'http'>,
  send: Send<'http'>,
  options: BufferBodyOptions & { keepString: true },
  finish: (start: HttpResponseStartEvent, body: Uint8Array | string) => BufferedResponse,
): Promise<unknown>;
export function bufferBody(
  app: ProtocolApp<'http'>,
  scope: HttpScope,
  receive: Receive<'http'>,
  send: Send<'http'>,
  options: BufferBodyOptions,
  finish: (start: HttpResponseStartEvent, body: Uint8Array) => BufferedResponse,
): Promise<unknown>;
export function bufferBody(
  app: ProtocolApp<'http'>,
  scope: HttpScope,
  receive: Receive<'http'>,
  send: Send<'http'>,
  options: BufferBodyOptions,
  finishBody:
    | ((start: HttpResponseStartEvent, body: Uint8Array) => BufferedResponse)
    | ((start: HttpResponseStartEvent, body: Uint8Array | string) => BufferedResponse),
): Promise<unknown> {
  // Only the `keepString: true` overload ever passes a string (checked by the overloads).
  const finish = finishBody as (start: HttpResponseStartEvent, body: Uint8Array | string) => BufferedResponse;
  const limit = options.limit;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    return Promise.reject(
      new PagiValidationError(`bufferBody() expected limit to be a whole number ≥ 0, got ${limit}`),
    );
  }
  const exchange = new HeldExchange(scope, send, options, finish);
  let running: unknown;
  try {
    running = app(scope, receive, exchange.send);
  } catch (error) {
    return Promise.reject(error);
  }
  // Chained, not awaited in an async function (one promise and resumption less per request).
  return Promise.resolve(running).then(exchange.afterApp);
}

/**
 * One response being held: its state and steps in one object, whose three functions (the `send`
 * the app gets and two promise callbacks) share one context; the steps are methods, not a
 * closure each made per request.
 */
class HeldExchange {
  /** The start held back, until the body is complete or buffering gives up. */
  private held: HttpResponseStartEvent | undefined = undefined;
  /** Body chunks held (copied), `size` bytes in all; made for a body in several events only. */
  private chunks: Uint8Array[] | undefined = undefined;
  private size = 0;
  /** Everything from now on goes straight to the inner send. */
  private streaming = false;
  /** The body that goes out once the start's send resolved. */
  private body: Uint8Array | string = '';
  private readonly keepString: boolean;
  private readonly limit: number;

  /**
   * The `send` the app gets. A plain function, not an async one: events that pass straight
   * through return the inner send's own promise and a held start returns a settled one, so only a
   * body event behind a held start pays for an async call. It never throws: an error becomes a
   * rejection, as a `send` must (protocol.md §1.4).
   */
  readonly send: Send<'http'>;
  /** After the app returned: a start with no final body is handed over, as the app sent it. */
  readonly afterApp: (result: unknown) => unknown;
  /** Sends `body` (after the start's send resolved). */
  private readonly sendBody: () => Promise<void>;

  constructor(
    private readonly scope: HttpScope,
    private readonly inner: Send<'http'>,
    private readonly options: BufferBodyOptions,
    private readonly finish: (start: HttpResponseStartEvent, body: Uint8Array | string) => BufferedResponse,
  ) {
    this.keepString = options.keepString === true;
    this.limit = options.limit;
    this.send = (event) => {
      try {
        return this.sent(event);
      } catch (error) {
        return Promise.reject(error);
      }
    };
    this.afterApp = (result) => (this.held === undefined ? result : this.release().then(() => result));
    this.sendBody = () => this.inner({ type: 'http.response.body', body: this.body });
  }

  private sent(event: Parameters<Send<'http'>>[0]): Promise<void> {
    if (this.streaming) return this.inner(event);
    if (event.type === 'http.response.start') {
      if (
        this.held !== undefined ||
        isUntransformable(this.scope, event) ||
        this.options.skip?.(event) === true
      ) {
        this.streaming = this.held === undefined;
        return this.inner(event);
      }
      this.held = event;
      return HELD;
    }
    if (this.held === undefined) return this.inner(event);
    if (
      this.size === 0 &&
      event.type === 'http.response.body' &&
      event.more !== true &&
      event.file === undefined &&
      event.fh === undefined
    ) {
      // The whole body in one event (the usual small response): no async call, no chunk list.
      const given = event.body;
      const body = this.keepString && typeof given === 'string' ? given : toBytes(given);
      if (typeof body === 'string' ? fitsUtf8(body, this.limit) : body.byteLength <= this.limit) {
        return this.sendWhole(body);
      }
    }
    return this.bodyWhileHeld(event);
  }

  /** Gives up buffering: the held start and chunks go out as they came, one awaited send each. */
  private async release(): Promise<void> {
    this.streaming = true;
    const start = this.held!;
    this.held = undefined;
    await this.inner(start);
    const pending = this.chunks;
    this.chunks = undefined;
    if (pending !== undefined) {
      for (const body of pending) await this.inner({ type: 'http.response.body', body, more: true });
    }
  }

  /** A body event while a start is held: buffer it, or give up and stream (async: it may await). */
  private async bodyWhileHeld(event: Parameters<Send<'http'>>[0]): Promise<void> {
    const limit = this.limit;
    if (event.type !== 'http.response.body' || event.file !== undefined || event.fh !== undefined) {
      if (event.type === 'http.response.body' && this.size === 0 && this.options.onFile !== undefined) {
        const headers = await this.options.onFile(this.held!, event as FileBodyEvent);
        if (headers !== undefined) this.held = { ...this.held!, headers };
      }
      await this.release();
      return this.inner(event);
    }
    const given = event.body;
    let body: Uint8Array | string;
    if (this.keepString && typeof given === 'string' && this.size === 0 && event.more !== true) {
      if (!fitsUtf8(given, limit)) {
        await this.release();
        return this.inner(event);
      }
      body = given;
    } else {
      const bytes = toBytes(given);
      if (this.size + bytes.byteLength > limit) {
        await this.release();
        return this.inner(event);
      }
      const last = event.more !== true;
      if (bytes.byteLength > 0) {
        // A held chunk is copied: the app may reuse its buffer once `send` resolved. The last
        // chunk of a body held in one piece is not: it is sent before this `send` resolves, and
        // a string's encoding is a fresh array anyway.
        (this.chunks ??= []).push(last || typeof given === 'string' ? bytes : bytes.slice());
        this.size += bytes.byteLength;
      }
      if (!last) return;
      body = concatBytes(this.chunks ?? [], this.size);
      this.chunks = undefined;
    }
    await this.sendWhole(body);
  }

  /**
   * Sends the held start, as `finish` made it for the complete `body`, then the body once the
   * start's send resolved (chained, not awaited in an async function: one promise less).
   */
  private sendWhole(body: Uint8Array | string): Promise<void> {
    const start = this.held!;
    this.held = undefined;
    this.streaming = true;
    const out = this.finish(start, body);
    this.body = out.body;
    return this.inner(new KitResponseStart(out.status, out.headers, start.trailers)).then(this.sendBody);
  }
}
