import type { IncomingMessage } from 'node:http';
import { BodyReadState } from './body-read-state.js';
import type { ExchangeState, ReceiveEvent } from './exchange-state.js';
import { rejectBodyTooLarge } from './response-writer.js';

/**
 * The request-body half of an exchange (protocol.md §4.1.1, D-15): `receive()`, 100-continue,
 * inbound backpressure (node's readable is only read when the app asks), `maxBodySize` on
 * arrival and the stall timer. Plain functions over the exchange's fields, so the same reader
 * serves any request object with node's readable interface (`IncomingMessage`, the HTTP/2
 * compatibility `Http2ServerRequest`).
 */

const EMPTY = Buffer.alloc(0);

export const kExchange: unique symbol = Symbol('pagi.exchange');

function onReadable(this: IncomingMessage): void {
  const ex = (this as { [kExchange]?: ExchangeState })[kExchange];
  if (ex !== undefined) pumpBody(ex);
}

/** The app's `receive()`. */
export function receiveBody(ex: ExchangeState): Promise<ReceiveEvent> {
  const body = (ex.body ??= new BodyReadState());
  // D-15: a second call while one is pending gets the same promise, so no event is lost.
  if (body.pending !== undefined) return body.pending;
  if (ex.reason !== undefined || ex.completed) return Promise.resolve({ type: 'http.disconnect' });
  if (body.done && ex.finished) return Promise.resolve({ type: 'http.disconnect' });
  if (!body.done) {
    if (ex.expectContinue && !body.sent100) {
      // §4.1.1: 100 Continue only once the app shows it wants the body.
      body.sent100 = true;
      if (ex.untouched) ex.res.writeContinue();
    }
    if (ex.bodyless) {
      body.done = true;
      return deliverNow(body, { type: 'http.request', body: EMPTY, more: false });
    }
    const event = readChunk(ex, body);
    if (event !== undefined) return deliverNow(body, event);
    if (ex.reason !== undefined) return Promise.resolve({ type: 'http.disconnect' });
    if (!body.attached) {
      body.attached = true;
      const req = ex.req;
      (req as { [kExchange]?: ExchangeState })[kExchange] = ex;
      req.on('readable', onReadable);
      req.on('end', onReadable);
    }
    armStallTimer(ex, body);
  }
  body.pending = new Promise((resolve) => {
    body.resolvePending = resolve;
  });
  return body.pending;
}

/**
 * D-15 for an event that is ready now: the resolved promise stays the pending one until the
 * microtask queue reaches it, so `const a = receive(); const b = receive()` gives `b === a`
 * and one event. The clearing microtask is queued before any `await` on the promise can be, so
 * the app's continuation already sees it cleared and its next call reads the next event.
 */
function deliverNow(body: BodyReadState, event: ReceiveEvent): Promise<ReceiveEvent> {
  const p = Promise.resolve(event);
  body.pending = p;
  queueMicrotask(() => {
    if (body.pending === p) body.pending = undefined;
  });
  return p;
}

/** Body data or the end arrived while a receive() may wait. */
export function pumpBody(ex: ExchangeState): void {
  const body = ex.body;
  if (body?.resolvePending === undefined || body.done) return;
  const event = readChunk(ex, body);
  if (event === undefined) {
    if (ex.reason !== undefined) settlePending(ex, { type: 'http.disconnect' });
    return;
  }
  settlePending(ex, event);
}

/** Resolves a parked receive() with `event` (no-op when none waits). */
export function settlePending(ex: ExchangeState, event: ReceiveEvent): void {
  const body = ex.body;
  const resolve = body?.resolvePending;
  if (resolve === undefined) return;
  clearStallTimer(ex);
  body!.pending = undefined;
  body!.resolvePending = undefined;
  resolve(event);
}

function readChunk(
  ex: ExchangeState,
  body: BodyReadState,
): { type: 'http.request'; body: Uint8Array; more: boolean } | undefined {
  const req = ex.req;
  const chunk = req.read() as Buffer | null;
  if (chunk === null) {
    // An aborted request is no complete one (HTTP/2's compatibility request counts a reset stream
    // as `complete`): its end is the disconnect that follows, not a final empty chunk.
    if (req.complete && req.readableLength === 0 && !req.aborted) {
      body.done = true;
      return { type: 'http.request', body: EMPTY, more: false };
    }
    return undefined;
  }
  body.bytes += chunk.length;
  const max = ex.ctx.options.maxBodySize;
  if (max > 0 && body.bytes > max) {
    rejectBodyTooLarge(ex);
    return undefined;
  }
  // §4.1.1: the chunk that completes a Content-Length body is the final one (more: false); node
  // may not have flagged the request complete yet, so count against the declared length.
  const declared = ex.declaredLength;
  const last = declared >= 0 ? body.bytes >= declared : req.complete && req.readableLength === 0;
  if (last) body.done = true;
  return { type: 'http.request', body: chunk, more: !last };
}

function armStallTimer(ex: ExchangeState, body: BodyReadState): void {
  const ms = ex.ctx.options.requestTimeout;
  if (ms <= 0 || body.stallTimer !== undefined) return;
  body.stallTimer = setTimeout(() => {
    body.stallTimer = undefined;
    ex.abort('client_timeout');
  }, ms);
  body.stallTimer.unref?.();
}

export function clearStallTimer(ex: ExchangeState): void {
  const body = ex.body;
  if (body?.stallTimer !== undefined) {
    clearTimeout(body.stallTimer);
    body.stallTimer = undefined;
  }
}
