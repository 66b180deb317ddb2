import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../internal/context.js';
import type { ConnectionSlot } from './connection-slot.js';
import { ExchangeLifecycle } from './exchange-lifecycle.js';

const EMPTY = Buffer.alloc(0);

export const kExchange: unique symbol = Symbol('pagi.exchange');

/** One shared listener for every request body (no closure per request). */
function onReadable(this: IncomingMessage): void {
  (this as { [kExchange]?: RequestBodyReader })[kExchange]?.pump();
}

export type RequestEvent =
  | { type: 'http.request'; body: Uint8Array; more: boolean }
  | { type: 'http.disconnect' };
type Resolver = (event: RequestEvent) => void;

/**
 * The request side of an HTTP exchange: the app's `receive()` (D-15: one event per call, a second
 * call while one is pending gets the same promise), `Expect: 100-continue` on the first read
 * (§4.1.1), `maxBodySize` while reading, and the body stall timer (`requestTimeout`).
 */
export abstract class RequestBodyReader extends ExchangeLifecycle {
  readonly expectContinue: boolean;
  readonly bodyless: boolean;
  /** The declared Content-Length, or -1 for a chunked body (or none). */
  private readonly declaredLength: number;

  protected bodyDone = false;
  private bodyBytes = 0;
  private sent100 = false;
  private readingAttached = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private pending: Promise<RequestEvent> | undefined;
  private resolvePending: Resolver | undefined;

  constructor(
    ctx: ServerContext,
    slot: ConnectionSlot,
    req: IncomingMessage,
    res: ServerResponse,
    bodyless: boolean,
    expectContinue: boolean,
    declaredLength: number,
  ) {
    super(ctx, slot, req, res);
    this.bodyless = bodyless;
    this.expectContinue = expectContinue;
    this.declaredLength = declaredLength;
  }

  /** The response has not begun on the wire: a server-generated answer can still replace it. */
  abstract get untouched(): boolean;
  /** Answers 413 in place of the app's response when nothing was sent yet; false otherwise. */
  protected abstract answerBodyTooLarge(): boolean;

  receive(): Promise<RequestEvent> {
    // D-15: a second call while one is pending gets the same promise, so no event is lost.
    if (this.pending !== undefined) return this.pending;
    if (this.reason !== undefined || this.completed) return Promise.resolve({ type: 'http.disconnect' });
    if (this.bodyDone && this.finished) return Promise.resolve({ type: 'http.disconnect' });
    if (!this.bodyDone) {
      if (this.expectContinue && !this.sent100) {
        // §4.1.1: 100 Continue only once the app shows it wants the body.
        this.sent100 = true;
        if (this.untouched) this.res.writeContinue();
      }
      if (this.bodyless) {
        this.bodyDone = true;
        return this.deliverNow({ type: 'http.request', body: EMPTY, more: false });
      }
      const event = this.readChunk();
      if (event !== undefined) return this.deliverNow(event);
      if (this.reason !== undefined) return Promise.resolve({ type: 'http.disconnect' });
      if (!this.readingAttached) {
        this.readingAttached = true;
        (this.req as { [kExchange]?: RequestBodyReader })[kExchange] = this;
        this.req.on('readable', onReadable);
        this.req.on('end', onReadable);
      }
      this.armStallTimer();
    }
    this.pending = new Promise((resolve) => {
      this.resolvePending = resolve;
    });
    return this.pending;
  }

  /**
   * D-15 for an event that is ready now: the resolved promise stays the pending one until the
   * microtask queue reaches it, so `const a = receive(); const b = receive()` gives `b === a`
   * and one event. The clearing microtask is queued before any `await` on the promise can be, so
   * the app's continuation already sees it cleared and its next call reads the next event.
   */
  private deliverNow(event: RequestEvent): Promise<RequestEvent> {
    const p = Promise.resolve(event);
    this.pending = p;
    queueMicrotask(() => {
      if (this.pending === p) this.pending = undefined;
    });
    return p;
  }

  /** Called when body data or the end arrived while a receive() waits. */
  pump(): void {
    if (this.resolvePending === undefined || this.bodyDone) return;
    const event = this.readChunk();
    if (event === undefined) {
      if (this.reason !== undefined) this.settlePending({ type: 'http.disconnect' });
      return;
    }
    this.settlePending(event);
  }

  private settlePending(event: RequestEvent): void {
    const resolve = this.resolvePending;
    if (resolve === undefined) return;
    this.clearStallTimer();
    this.pending = undefined;
    this.resolvePending = undefined;
    resolve(event);
  }

  private readChunk(): { type: 'http.request'; body: Uint8Array; more: boolean } | undefined {
    const req = this.req;
    const chunk = req.read() as Buffer | null;
    if (chunk === null) {
      if (req.complete && req.readableLength === 0) {
        this.bodyDone = true;
        return { type: 'http.request', body: EMPTY, more: false };
      }
      return undefined;
    }
    this.bodyBytes += chunk.length;
    const max = this.ctx.options.maxBodySize;
    if (max > 0 && this.bodyBytes > max) {
      this.rejectBody();
      return undefined;
    }
    // §4.1.1: the chunk that completes a Content-Length body is the final one (more: false); node
    // may not have flagged the request complete yet, so count against the declared length.
    const declared = this.declaredLength;
    const last = declared >= 0 ? this.bodyBytes >= declared : req.complete && req.readableLength === 0;
    if (last) this.bodyDone = true;
    return { type: 'http.request', body: chunk, more: !last };
  }

  /** A chunked body went over maxBodySize: 413 if nothing was sent, then drop the connection. */
  private rejectBody(): void {
    this.ctx.logger.warn(
      `request body exceeded maxBodySize (${this.ctx.options.maxBodySize} bytes): ${this.req.method} ${this.req.url}`,
    );
    this.slot.closeAfter = true;
    if (this.answerBodyTooLarge()) this.disconnect('body_too_large');
    else this.abort('body_too_large');
  }

  private armStallTimer(): void {
    const ms = this.ctx.options.requestTimeout;
    if (ms <= 0 || this.stallTimer !== undefined) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.abort('client_timeout');
    }, ms);
    this.stallTimer.unref?.();
  }

  private clearStallTimer(): void {
    if (this.stallTimer !== undefined) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
  }

  protected endReceive(): void {
    this.clearStallTimer();
    this.settlePending({ type: 'http.disconnect' });
  }

  /** D-7: a receive() parked after the body learns the response is done now, not when the app
   * returns (it may be awaiting this very receive()). */
  protected responseFinished(): void {
    if (this.bodyDone) this.settlePending({ type: 'http.disconnect' });
  }
}
