import { Buffer } from 'node:buffer';
import {
  HttpSendOrder,
  httpSendNext,
  httpSendOrderError,
  PagiStateError,
  PagiUnknownEventError,
  PagiValidationError,
  SETTLED,
} from '@pagi/spec';
import type { ExchangeState } from './exchange-state.js';
import { writeCheckedHead } from './checked-head.js';
import { fileRange, openFileSource } from './file-source.js';
import { flattenHeaders, flattenInto } from './response-headers.js';

/**
 * The response half of an exchange: the app's `send()` on an `http` scope, checked against
 * @pagi/spec's one send-order table (protocol.md §5.1, `httpSendNext`), written through node's
 * response interface (`ServerResponse` for HTTP/1.x, the compatibility `Http2ServerResponse` for
 * HTTP/2), with file bodies, trailers, backpressure and the D-12 backstop. Plain functions over
 * the exchange's fields; what differs per HTTP version (dropping the connection or resetting a
 * stream) is the slot's `cut`/`cutStarted`.
 */

// Outbound wire states (protocol.md §5.1).
export const INIT = 0;
export const STARTED = 1; // start accepted, head not written yet (kept so start + final body is one write)
export const STREAMING = 2; // head written, body open
export const BODY_DONE = 3; // final body written, trailers promised
export const SENDING_FILE = 4; // a file body is being streamed; it finishes the body
export const ENDED = 5; // res.end() called

/** The send-order state (@pagi/spec's HttpSendOrder, shared with the validator) of each wire state. */
const ORDER_STEP = Int8Array.from([
  HttpSendOrder.INIT,
  HttpSendOrder.STARTED,
  HttpSendOrder.STARTED,
  HttpSendOrder.BODY_DONE,
  HttpSendOrder.COMPLETE,
  HttpSendOrder.COMPLETE,
]);

const RESOLVED: Promise<void> = SETTLED; // @pagi/spec's shared one: a caller may skip awaiting it
const FILE_CHUNK = 64 * 1024;

function noop(): void {}
/** A rejected promise that can't become an unhandled rejection if the app ignores it. */
function rejected(error: unknown): Promise<never> {
  const p = Promise.reject(error);
  p.catch(noop);
  return p;
}

/** The app's `send()`. */
export function sendResponseEvent(ex: ExchangeState, event: Record<string, unknown>): Promise<void> {
  if (event === null || typeof event !== 'object') {
    return rejected(
      new PagiValidationError(
        `send: expected an event object, got ${event === null ? 'null' : typeof event}`,
      ),
    );
  }
  // D-6: after the client has gone every send is a no-op; pagi.connection says why.
  if (ex.reason !== undefined || !ex.connected) return RESOLVED;
  try {
    switch (event.type) {
      case 'http.response.start':
        return start(ex, event);
      case 'http.response.body':
        return body(ex, event);
      case 'http.response.trailers':
        return sendTrailers(ex, event);
      case 'http.fullflush':
        if (!ex.ctx.options.fullflush) {
          throw new PagiUnknownEventError(
            "http.fullflush: the 'fullflush' extension is not advertised on this scope (scope.extensions.fullflush)",
          );
        }
        // Node writes eagerly; turning Nagle off pushes small segments out now (§4.1.6).
        ex.slot.socket.setNoDelay(true);
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

/** Throws the order's PagiStateError when §5.1 refuses an event of `kind` now. */
function checkOrder(ex: ExchangeState, kind: number): void {
  const step = ORDER_STEP[ex.out]!;
  if (httpSendNext(step, kind, ex.trailers) < 0) throw httpSendOrderError(step, kind, ex.trailers);
}

function start(ex: ExchangeState, event: Record<string, unknown>): Promise<void> {
  checkOrder(ex, HttpSendOrder.START);
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
  flattenInto(event.headers, 'http.response.start', ex);
  ex.status = status;
  ex.trailers = trailers === true;
  ex.out = STARTED;
  ex.started = true;
  return RESOLVED;
}

/** Statuses and methods that never carry a body (RFC 9110 §6.4.1). */
function noBody(ex: ExchangeState): boolean {
  const s = ex.status;
  return ex.head || s < 200 || s === 204 || s === 304;
}

/**
 * Writes the head. `onePiece`: the whole body is `knownLength` bytes handed to node at once next
 * (a final `http.response.body`), so when the app's `content-length` says the same, node's strict
 * length check (which recounts the bytes on every write and on end) could only pass and is left
 * off; any other declared length keeps it, and node refuses the mismatch as before.
 *
 * The app's own `content-length` (all digits, checked by flattenInto, which keeps it out of
 * `flat`) and the one the server computes go into the head the same way.
 */
function writeHead(ex: ExchangeState, knownLength: number, onePiece = false): void {
  const declared = ex.contentLength;
  const res = ex.res;
  let length = declared;
  if (declared !== undefined) {
    if (!(onePiece && +declared === knownLength)) res.strictContentLength = !ex.head;
  } else if (knownLength >= 0 && !ex.trailers && !(ex.head && knownLength === 0)) {
    // HEAD: the length is the one the GET would have had (RFC 9110 §9.3.2, §8.6). A body the app
    // sent says it; an empty one says nothing, so no length is invented (node and uvicorn add none).
    const s = ex.status;
    if (!(s < 200 || s === 204 || s === 304)) length = String(knownLength);
  }
  if (ex.slot.closeAfter || ex.ctx.stopping) res.shouldKeepAlive = false;
  writeCheckedHead(res, ex.status, ex.flat!, length);
  ex.out = STREAMING;
}

function body(ex: ExchangeState, event: Record<string, unknown>): Promise<void> {
  const out = ex.out;
  const more = event.more;
  const file = event.file !== undefined || event.fh !== undefined;
  // A file body always finishes the body (§4.1.4).
  checkOrder(ex, file || more !== true ? HttpSendOrder.FINAL_BODY : HttpSendOrder.BODY);
  if (more !== undefined && typeof more !== 'boolean') {
    throw new PagiValidationError(`http.response.body: expected more to be a boolean, got ${typeof more}`);
  }
  const data = event.body;
  if (file) {
    if (data !== undefined || (event.file !== undefined && event.fh !== undefined)) {
      throw new PagiValidationError('http.response.body: expected one of body, file or fh, got several');
    }
    const range = fileRange(event);
    ex.out = SENDING_FILE;
    const p = sendFile(ex, event, range.offset, range.length, out);
    p.catch(noop);
    return p;
  }
  let length: number;
  if (data === undefined) {
    length = 0;
  } else if (typeof data === 'string') {
    length = data.length === 0 ? 0 : Buffer.byteLength(data);
  } else if (data instanceof Uint8Array) {
    length = data.byteLength;
  } else {
    throw new PagiValidationError(
      `http.response.body: expected body to be a Uint8Array or a string, got ${typeof data}`,
    );
  }
  const res = ex.res;
  try {
    if (more !== true) {
      if (out === STARTED) writeHead(ex, length, true);
      ex.bytesSent += length;
      if (ex.trailers) {
        if (length > 0) res.write(data as string | Uint8Array);
        ex.out = BODY_DONE;
      } else {
        ex.out = ENDED;
        ex.bodyComplete = true;
        if (length > 0) res.end(data as string | Uint8Array);
        else res.end();
      }
      return RESOLVED;
    }
    if (out === STARTED) writeHead(ex, -1);
    if (length === 0) return RESOLVED;
    ex.bytesSent += length;
    res.write(data as string | Uint8Array);
  } catch (error) {
    // Node refused the bytes (e.g. more than the declared content-length): the framing is lost.
    ex.abort('server_error');
    throw new PagiValidationError(`http.response.body: ${(error as Error).message}`, { cause: error });
  }
  ex.transportState?.afterWrite();
  if (res.writableLength >= ex.ctx.options.writeHighWaterMark) return ex.transport().waitForRoom();
  return RESOLVED;
}

async function sendFile(
  ex: ExchangeState,
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
    ex.out = before;
    throw error;
  }
  try {
    const size = await source.size();
    const total = Math.max(0, Math.min(length, size - offset));
    if (ex.reason !== undefined) return;
    if (before === STARTED) {
      writeHead(ex, total);
      ex.out = SENDING_FILE;
    }
    const res = ex.res;
    if (!noBody(ex)) {
      let sent = 0;
      while (sent < total) {
        if (ex.reason !== undefined) return;
        const want = Math.min(FILE_CHUNK, total - sent);
        // A fresh buffer per chunk: the socket keeps a reference until the bytes are flushed.
        const buffer = Buffer.allocUnsafe(want);
        const n = await source.read(buffer, want, offset + sent);
        if (n === 0) break; // the file shrank; stop at EOF (declared lengths are Node's to police)
        if (ex.reason !== undefined) return;
        res.write(n === want ? buffer : buffer.subarray(0, n));
        sent += n;
        ex.bytesSent += n;
        ex.transportState?.afterWrite();
        if (res.writableLength >= ex.ctx.options.writeHighWaterMark) await ex.transport().waitForRoom();
      }
    }
    if (ex.reason !== undefined) return;
    if (ex.trailers) {
      ex.out = BODY_DONE;
    } else {
      ex.out = ENDED;
      ex.bodyComplete = true;
      res.end();
    }
  } catch (error) {
    ex.abort('server_error');
    throw error;
  } finally {
    await source.release();
  }
}

function sendTrailers(ex: ExchangeState, event: Record<string, unknown>): Promise<void> {
  if (ex.out === SENDING_FILE && ex.trailers) {
    // The order allows it (the file finished the body); the wire does not yet.
    throw new PagiStateError(
      "'http.response.trailers': expected the file body to be written first (await its send()), got trailers while it is streaming",
    );
  }
  checkOrder(ex, HttpSendOrder.TRAILERS);
  const { flat } = flattenHeaders(event.headers, 'http.response.trailers', false);
  // HTTP/1.1 trailers need chunked framing (RFC 9112 §7.1.2). With a content-length or an HTTP/1.0
  // client there is nowhere to put them, so they are dropped (documented in server-behavior.md).
  // HTTP/2 could frame them next to a content-length (a trailing HEADERS frame, RFC 9113 §8.1),
  // but drops them too: one rule for the app whatever the version (RFC 9110 §6.5 lets trailers
  // be discarded), as the conformance suite holds every transport to.
  const version = ex.req.httpVersion;
  if (flat.length > 0 && version === '2' && ex.contentLength === undefined) {
    // node:http2 takes trailers as an object; a repeated name becomes a list (one field each).
    // No prototype: `constructor` or `__proto__` is a field name here, not Object's property.
    const fields: Record<string, string | string[]> = Object.create(null);
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i]!;
      const prior = fields[name];
      if (prior === undefined) fields[name] = flat[i + 1]!;
      else if (typeof prior === 'string') fields[name] = [prior, flat[i + 1]!];
      else prior.push(flat[i + 1]!);
    }
    ex.res.addTrailers(fields);
  } else if (flat.length > 0 && ex.contentLength === undefined && version !== '1.0') {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    ex.res.addTrailers(pairs);
  }
  ex.out = ENDED;
  ex.bodyComplete = true;
  ex.res.end();
  return RESOLVED;
}

/** A chunked body went over maxBodySize: 413 if nothing was sent, then drop the connection. */
export function rejectBodyTooLarge(ex: ExchangeState): void {
  ex.ctx.logger.warn(
    `request body exceeded maxBodySize (${ex.ctx.options.maxBodySize} bytes): ${ex.req.method} ${ex.req.url}`,
  );
  ex.slot.closeAfter = true;
  if (ex.untouched) {
    ex.started = true;
    ex.status = 413;
    ex.out = ENDED;
    const res = ex.res;
    res.shouldKeepAlive = false;
    const text = 'Payload Too Large\n';
    res.writeHead(413, ['content-type', 'text/plain; charset=utf-8', 'content-length', String(text.length)]);
    res.end(text);
    ex.bytesSent = text.length;
    ex.disconnect('body_too_large');
  } else {
    ex.abort('body_too_large');
  }
}

/**
 * D-12 (amended 2026-12-04): whatever the app did, the client can tell a failed response from a
 * good one. Nothing on the wire yet: a complete 500. A body already on its way: the response is
 * aborted (the slot's `cutStarted`) so the client sees the truncation instead of a cleanly ended
 * message. Only what can't lose anything ends cleanly: promised trailers never sent (the body
 * was complete) and a response that carries no body (HEAD, 1xx/204/304).
 */
export function backstop(ex: ExchangeState, threw: boolean, line: string): void {
  const out = ex.out;
  if (out === ENDED || out === SENDING_FILE) return;
  const res = ex.res;
  const ctx = ex.ctx;
  ex.slot.closeAfter = true;
  const endsCleanly =
    out === BODY_DONE || (out === STREAMING && noBody(ex)) || (out === STARTED && !threw && noBody(ex));
  if (!endsCleanly && (out === INIT || (out === STARTED && !res.headersSent))) {
    if (out === INIT && !threw)
      ctx.logger.error(`app returned without sending http.response.start for ${line}; sent 500`);
    else if (out === STARTED && !threw)
      ctx.logger.error(`app returned after http.response.start without a body for ${line}; sent 500`);
    ex.started = true;
    ex.status = 500;
    ex.out = ENDED;
    ex.bytesSent = 22;
    res.shouldKeepAlive = false;
    res.writeHead(500, ['content-type', 'text/plain; charset=utf-8', 'content-length', '22']);
    res.end('Internal Server Error\n');
    ex.disconnect('server_error');
    return;
  }
  if (!endsCleanly) {
    ctx.logger.warn(
      `app ${threw ? 'raised' : 'returned'} before finishing the response to ${line}; aborted it (the body was cut short, not ended)`,
    );
    // What was written is flushed, then the response is cut short (HTTP/1.1: the connection
    // closes without the chunked terminator or short of the Content-Length; HTTP/2: RST_STREAM
    // INTERNAL_ERROR). `res.end()` is never called, so node never frames an end.
    ex.aborted = true;
    ex.out = ENDED;
    ex.disconnect('server_error');
    ex.slot.cutStarted();
    return;
  }
  ctx.logger.warn(
    `app ${threw ? 'raised' : 'returned'} before finishing the response to ${line}; ended it ${out === BODY_DONE ? 'without the promised trailers' : '(no body to lose)'} and closed the connection`,
  );
  try {
    if (out === STARTED) writeHead(ex, 0);
    ex.out = ENDED;
    res.end();
  } catch {
    ex.abort('server_error');
    return;
  }
  ex.disconnect('server_error');
}
