/**
 * Adds `Content-Length` when the body's length is known before its first byte goes out: a body
 * complete in one event, a body that completes within `limit` held bytes, or a `file`/`fh` body
 * (its `length`, or a stat — never a read). Anything else streams on without one (the server
 * then frames it chunked). Never on 1xx/204/304 (RFC 9110 §8.6: no body), on HEAD (its body is
 * empty but the length must describe the GET's), with `Transfer-Encoding` (RFC 9112 §6.2), with
 * trailers promised (they need chunked framing), or when the app set one.
 */
import {
  getHeader,
  type HttpResponseBodyEvent,
  type HttpResponseStartEvent,
  type HttpScope,
  type Middleware,
  PagiValidationError,
  type Send,
  setHeader,
  toBytes,
} from '@pagi/spec';
import { defineMiddleware, type FileBodyEvent } from '@pagi/spec/middleware';
import { statFileBody } from '@pagi/spec/middleware/node';

export interface ContentLengthOptions {
  /**
   * Bytes of a body sent in several events held to learn its length; a body that outgrows it
   * streams on without Content-Length. Default `0`: only bodies complete in one event.
   */
  limit?: number;
  /** Give `file`/`fh` bodies their length (from `length`, or a stat). Default `true`. */
  files?: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['limit', 'files']);

/** true when this response must not get a Content-Length from us. */
function leaveAlone(scope: HttpScope, start: HttpResponseStartEvent): boolean {
  const s = start.status;
  if (scope.method === 'HEAD' || s < 200 || s === 204 || s === 304 || start.trailers === true) return true;
  const headers = start.headers;
  return (
    headers !== undefined &&
    (getHeader(headers, 'content-length') !== undefined ||
      getHeader(headers, 'transfer-encoding') !== undefined)
  );
}

function withLength(start: HttpResponseStartEvent, length: number): HttpResponseStartEvent {
  return { ...start, headers: setHeader(start.headers ?? [], 'content-length', String(length)) };
}

/** The bytes a file body will send, or undefined when unknown (then no header is added). */
async function fileLength(event: FileBodyEvent): Promise<number | undefined> {
  const info = await statFileBody(event);
  if (info === undefined) return undefined;
  const offset = event.offset ?? 0;
  const available = Math.max(0, info.size - offset);
  return event.length === undefined ? available : Math.min(event.length, available);
}

/**
 * The per-response `send`: holds the start (and, up to `limit` bytes, body chunks) until the
 * length is known or cannot be; then sends everything on, in order, each `send` awaited.
 */
function lengthSend(
  scope: HttpScope,
  send: Send<'http'>,
  limit: number,
  files: boolean,
): { send: Send<'http'>; end: () => Promise<void> } {
  let held: HttpResponseStartEvent | undefined;
  let chunks: HttpResponseBodyEvent[] = [];
  let size = 0;
  let passing = false;

  const flush = async (start: HttpResponseStartEvent): Promise<void> => {
    passing = true;
    held = undefined;
    await send(start);
    const pending = chunks;
    chunks = [];
    for (const chunk of pending) await send(chunk);
  };

  const gated: Send<'http'> = async (event) => {
    if (passing) return send(event);
    if (event.type === 'http.response.start') {
      if (held !== undefined || leaveAlone(scope, event)) {
        passing = held === undefined;
        return send(event);
      }
      held = event;
      return;
    }
    if (held === undefined) return send(event);
    if (event.type !== 'http.response.body') {
      await flush(held);
      return send(event);
    }
    if (event.file !== undefined || event.fh !== undefined) {
      // Upstream bug (toolkit-parity §0.3): a file body got `content-length: 0`.
      const length = files && size === 0 ? await fileLength(event as FileBodyEvent) : undefined;
      await flush(length === undefined ? held : withLength(held, length));
      return send(event);
    }
    const bytes = event.body === undefined ? 0 : toBytes(event.body).byteLength;
    if (event.more !== true) {
      await flush(withLength(held, size + bytes));
      return send(event);
    }
    if (size + bytes > limit) {
      await flush(held);
      return send(event);
    }
    // Held as sent; copied, since the app may reuse its buffer once `send` resolved.
    chunks.push(
      typeof event.body === 'string' || event.body === undefined
        ? event
        : { ...event, body: toBytes(event.body).slice() },
    );
    size += bytes;
  };
  // The app returned after a start with no final body: hand over what was held, as it was sent.
  const end = async () => {
    if (held !== undefined) await flush(held);
  };
  return { send: gated, end };
}

/**
 * Adds `Content-Length` to HTTP responses whose length is known before the body goes out.
 *
 * @throws PagiValidationError for an unknown option or a bad value (when applied).
 * @example
 * const app = compose(contentLength({ limit: 64 * 1024 }))(router.app);
 */
export function contentLength(options: ContentLengthOptions = {}): Middleware {
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`contentLength(): unknown option '${key}'`);
  }
  const { limit = 0, files = true } = options;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new PagiValidationError(
      `contentLength(): expected limit to be a whole number of bytes ≥ 0, got ${limit}`,
    );
  }
  if (typeof files !== 'boolean') {
    throw new PagiValidationError(`contentLength(): expected files to be a boolean, got ${files}`);
  }
  return defineMiddleware('contentLength', {
    http: async (scope, receive, send, app) => {
      if (scope.method === 'HEAD') return app(scope, receive, send);
      const gate = lengthSend(scope, send, limit, files);
      const result = await app(scope, receive, gate.send);
      await gate.end();
      return result;
    },
  });
}
