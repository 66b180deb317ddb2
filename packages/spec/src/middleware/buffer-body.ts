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
import { isUntransformable } from './response-skip.js';
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

/** What `send` returns for a start it holds back: already settled, shared (nothing to wait for). */
const HELD: Promise<void> = Promise.resolve();

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
  const keepString = options.keepString === true;
  const limit = options.limit;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    return Promise.reject(
      new PagiValidationError(`bufferBody() expected limit to be a whole number ≥ 0, got ${limit}`),
    );
  }
  let held: HttpResponseStartEvent | undefined;
  let chunks: Uint8Array[] = [];
  let size = 0;
  let streaming = false;

  /** Gives up buffering: the held start and chunks go out as they came, one awaited send each. */
  const release = async (): Promise<void> => {
    streaming = true;
    const start = held!;
    held = undefined;
    await send(start);
    const pending = chunks;
    chunks = [];
    for (const body of pending) await send({ type: 'http.response.body', body, more: true });
  };

  /** A body event while a start is held: buffer it, or give up and stream (async: it may await). */
  const bodyWhileHeld = async (event: Parameters<Send<'http'>>[0]): Promise<void> => {
    if (event.type !== 'http.response.body' || event.file !== undefined || event.fh !== undefined) {
      if (event.type === 'http.response.body' && size === 0 && options.onFile !== undefined) {
        const headers = await options.onFile(held!, event as FileBodyEvent);
        if (headers !== undefined) held = { ...held!, headers };
      }
      await release();
      return send(event);
    }
    const given = event.body;
    let body: Uint8Array | string;
    if (keepString && typeof given === 'string' && size === 0 && event.more !== true) {
      if (!fitsUtf8(given, limit)) {
        await release();
        return send(event);
      }
      body = given;
    } else {
      const bytes = toBytes(given);
      if (size + bytes.byteLength > limit) {
        await release();
        return send(event);
      }
      const last = event.more !== true;
      if (bytes.byteLength > 0) {
        // A held chunk is copied: the app may reuse its buffer once `send` resolved. The last
        // chunk of a body held in one piece is not: it is sent before this `send` resolves, and
        // a string's encoding is a fresh array anyway.
        chunks.push(last || typeof given === 'string' ? bytes : bytes.slice());
        size += bytes.byteLength;
      }
      if (!last) return;
      body = concatBytes(chunks, size);
      chunks = [];
    }
    await sendWhole(body);
  };

  /**
   * Sends the held start, as `finish` made it for the complete `body`, then the body once the
   * start's send resolved (chained, not awaited in an async function: one promise less).
   */
  const sendWhole = (body: Uint8Array | string): Promise<void> => {
    const start = held!;
    held = undefined;
    streaming = true;
    const out = finish(start, body);
    return send({
      type: 'http.response.start',
      status: out.status,
      headers: out.headers,
      trailers: start.trailers,
    }).then(() => send({ type: 'http.response.body', body: out.body }));
  };

  /**
   * A plain function, not an async one: events that pass straight through return the inner
   * send's own promise and a held start returns a settled one, so only a body event behind a
   * held start pays for an async call. It never throws: an error becomes a rejection, as a
   * `send` must (protocol.md §1.4).
   */
  const bufferedSend: Send<'http'> = (event) => {
    try {
      if (streaming) return send(event);
      if (event.type === 'http.response.start') {
        if (held !== undefined || isUntransformable(scope, event) || options.skip?.(event) === true) {
          streaming = held === undefined;
          return send(event);
        }
        held = event;
        return HELD;
      }
      if (held === undefined) return send(event);
      if (
        size === 0 &&
        event.type === 'http.response.body' &&
        event.more !== true &&
        event.file === undefined &&
        event.fh === undefined
      ) {
        // The whole body in one event (the usual small response): no async call, no chunk list.
        const given = event.body;
        const body = keepString && typeof given === 'string' ? given : toBytes(given);
        if (typeof body === 'string' ? fitsUtf8(body, limit) : body.byteLength <= limit)
          return sendWhole(body);
      }
      return bodyWhileHeld(event);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  // Chained, not awaited in an async function (one promise and resumption less per request). A
  // start with no final body: handed over, as the app sent it, once the app returned.
  const afterApp = (result: unknown): unknown => (held === undefined ? result : release().then(() => result));
  let running: unknown;
  try {
    running = app(scope, receive, bufferedSend);
  } catch (error) {
    return Promise.reject(error);
  }
  return Promise.resolve(running).then(afterApp);
}
