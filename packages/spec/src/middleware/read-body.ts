/**
 * Reading a request body inside a middleware (a signature check, a body-size gate, a form
 * method override) and handing the inner app a `receive` that replays it.
 */
import { concatBytes } from '../bytes.js';
import { getHeader } from '../header-list.js';
import { PagiValidationError } from '../errors.js';
import { HttpError } from '../http-error.js';
import type { HttpScope, Receive, ReceiveEvent } from '../types.js';

export interface ReadBodyOptions {
  /** Largest body accepted, in bytes; a larger one is a 413 {@link HttpError}. */
  limit: number;
}

export interface ReadBody {
  /** The whole body (what arrived before a disconnect, if the client left). */
  body: Uint8Array;
  /** true when the client left before the body was complete. */
  disconnected: boolean;
  /**
   * For the inner app: yields the body as one `http.request` (or the disconnect), then defers to
   * the original `receive`, so D-7 holds (after the body, `http.disconnect` once the response is
   * complete) and D-15 holds (a second call while one is pending never yields the body twice).
   */
  receive: Receive<'http'>;
}

/**
 * Reads the request body, up to `options.limit` bytes. A body announced (`content-length`) or
 * found to be larger throws `HttpError(413)` at once: the rest is never read into memory.
 *
 * @throws HttpError with status 413 when the body is larger than `limit`.
 * @example
 * let read;
 * try { read = await readBody(scope, receive, { limit: 64 * 1024 }); }
 * catch (e) { if (e instanceof HttpError) return respond(scope, send, e); throw e; }
 * verify(read.body);
 * return app(scope, read.receive, send);
 */
export async function readBody(
  scope: HttpScope,
  receive: Receive<'http'>,
  options: ReadBodyOptions,
): Promise<ReadBody> {
  const limit = options.limit;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new PagiValidationError(`readBody() expected limit to be a whole number ≥ 0, got ${limit}`);
  }
  const tooLarge = (): HttpError => new HttpError(413, { detail: `request body larger than ${limit} bytes` });
  const declared = getHeader(scope.headers, 'content-length');
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge();

  const parts: Uint8Array[] = [];
  let size = 0;
  let disconnect: ReceiveEvent<'http'> | undefined;
  for (;;) {
    const event = await receive();
    if (event.type === 'http.disconnect') {
      disconnect = event;
      break;
    }
    size += event.body.byteLength;
    if (size > limit) throw tooLarge();
    if (event.body.byteLength > 0) parts.push(event.body);
    if (!event.more) break;
  }
  const body = concatBytes(parts, size);
  let replayed = false;
  const first: ReceiveEvent<'http'> = disconnect ?? { type: 'http.request', body, more: false };
  return {
    body,
    disconnected: disconnect !== undefined,
    receive: function replayReceive() {
      // The flag flips on the call, not on resolution: a concurrent second call goes to the
      // original receive (which waits), so the body is yielded exactly once.
      if (replayed) return receive();
      replayed = true;
      return Promise.resolve(first);
    },
  };
}
