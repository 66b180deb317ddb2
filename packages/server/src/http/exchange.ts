import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderList, HttpScope, DisconnectReason } from '@pagi/spec';
import type { ServerContext } from '../internal/context.js';
import type { ConnectionSlot } from './connection-slot.js';
import { kFinishHook, PagiServerResponse } from './pagi-response.js';
import { kExchange } from './request-body.js';
import { ResponseWriter } from './response-writer.js';
import { buildHttpScope, type HttpScopeSource } from './scope.js';

export { kExchange } from './request-body.js';

function onFinish(this: ServerResponse): void {
  (this as { [kExchange]?: HttpExchange })[kExchange]?.onFinish();
}

/**
 * One HTTP request/response cycle: it calls the app with its scope, `receive` and `send`, and
 * writes the access log line when the request is over. The parts it is made of are its base
 * classes, read in this order: exchange-lifecycle.ts, request-body.ts, response-writer.ts.
 * Everything is built lazily: a scope key the app never reads, a body it never receives, costs
 * nothing.
 */
export class HttpExchange extends ResponseWriter implements HttpScopeSource {
  readonly startTime: number;
  readonly scope: HttpScope;
  /** false until the app was called; a request cancelled before that never reaches the app. */
  running = false;
  cancelled = false;

  constructor(
    ctx: ServerContext,
    slot: ConnectionSlot,
    req: IncomingMessage,
    res: ServerResponse,
    headers: HeaderList,
    bodyless: boolean,
    expectContinue: boolean,
    declaredLength = -1,
  ) {
    super(ctx, slot, req, res, bodyless, expectContinue, declaredLength);
    // Only the access log needs the duration; skip the clock read when it is off.
    this.startTime = ctx.options.accessLog === 'off' ? 0 : performance.now();
    if (res instanceof PagiServerResponse) {
      res[kFinishHook] = this;
    } else {
      // A response class the server did not choose (a foreign http.Server): listen as usual.
      (res as { [kExchange]?: HttpExchange })[kExchange] = this;
      res.on('finish', onFinish);
    }
    this.scope = buildHttpScope(this, slot, headers);
  }

  /**
   * The parser failed on this request's body before the app was called (the bytes came in the
   * same read as the head): the app never sees it, the caller answers 4xx and closes.
   */
  cancel(): void {
    this.cancelled = true;
    this.appSettled = true;
    this.endOutput();
    this.slot.closeAfter = true;
    this.disconnect('protocol_error');
  }

  /** Ends the request abnormally while the server itself answers the client (no more app output). */
  fail(reason: DisconnectReason): void {
    this.endOutput();
    this.slot.closeAfter = true;
    this.disconnect(reason);
  }

  /** Calls the app; every way it can fail (sync throw, rejection, non-promise) is contained. */
  run(): void {
    if (this.cancelled || this.reason !== undefined) {
      if (!this.appSettled) {
        this.appSettled = true;
        this.maybeComplete();
      }
      return;
    }
    this.running = true;
    let result: unknown;
    try {
      result = this.ctx.app(
        this.scope,
        () => this.receive(),
        (event) => this.send(event as Record<string, unknown>),
      );
    } catch (error) {
      this.onAppSettled(error, true);
      return;
    }
    if (result !== null && typeof (result as Promise<unknown>)?.then === 'function') {
      (result as Promise<unknown>).then(this.slot.appFulfilled, this.slot.appRejected);
    } else {
      this.onAppSettled(undefined, false);
    }
  }

  /** The app's promise settled (called through the slot's shared handlers). */
  appSettledWith(error: unknown, threw: boolean): void {
    this.onAppSettled(error, threw);
  }

  private onAppSettled(error: unknown, threw: boolean): void {
    if (this.appSettled) return;
    this.appSettled = true;
    // The common case (returned after a complete response) builds no log line at all.
    if (threw || !this.outputFinished()) {
      const line = `${this.req.method} ${this.req.url} HTTP/${this.req.httpVersion}`;
      if (threw && this.reason === undefined)
        this.ctx.logger.error(`app raised an error while handling ${line}`, error);
      else if (threw)
        this.ctx.logger.debug(`app raised after the client went away (${this.reason}) on ${line}`, error);
      if (this.reason === undefined && this.connected) this.backstop(threw, line);
    }
    this.maybeComplete();
  }

  protected ended(): void {
    this.writeAccessLog();
    this.slot.done(this);
  }

  private writeAccessLog(): void {
    if (this.ctx.options.accessLog === 'off') return;
    const req = this.req;
    let referer: string | undefined;
    let userAgent: string | undefined;
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length === 7 && name.toLowerCase() === 'referer') referer = raw[i + 1];
      else if (name.length === 10 && name.toLowerCase() === 'user-agent') userAgent = raw[i + 1];
    }
    this.ctx.accessLog({
      // The scope's client: the real one behind a trusted proxy (--proxy-headers).
      client: this.scope.client?.[0] ?? '-',
      method: req.method ?? '-',
      target: req.url ?? '-',
      httpVersion: req.httpVersion,
      status: this.status === 0 ? 0 : this.status,
      bytes: this.bytesSent,
      durationMs: performance.now() - this.startTime,
      referer,
      userAgent,
      protocol: 'http',
    });
  }
}
