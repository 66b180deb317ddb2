import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  createSendValidator,
  formatSseComment,
  formatSseMessage,
  type HeaderList,
  type Receive,
  type ReceiveEvent,
  type Send,
  type SendEvent,
  type SendValidator,
  SETTLED,
  type SseScope,
} from '@pagi/spec';
import type { ServerContext } from '../internal/context.js';
import { buildScopeBase } from '../internal/scope-base.js';
import { WatermarkTransport } from '../websocket/watermark-transport.js';
import { SessionLifecycle, type SessionLogInfo } from '../internal/session-lifecycle.js';
import { type IdleOwner, IdleTimer } from '../internal/idle-timer.js';

type Inbound = ReceiveEvent<'sse'>;
type Outbound = SendEvent<'sse'>;
type State = 'init' | 'streaming' | 'declining' | 'ended';

const RESOLVED: Promise<void> = SETTLED; // @pagi/spec's shared one: a caller may skip awaiting it
const EMPTY = new Uint8Array(0);

/**
 * Listeners are module-level functions that find their session through a symbol on the emitter
 * rather than per-stream closures, so an idle stream holds as little as possible.
 */
const kSession = Symbol('pagi.sse.session');
type WithSession = { [kSession]: SseSession };

function onResponseClose(this: ServerResponse): void {
  const session = (this as unknown as WithSession)[kSession];
  session.guard(session.onResponseClose);
}
function onResponseError(this: ServerResponse, error: Error): void {
  (this as unknown as WithSession)[kSession].onResponseError(error);
}
function onSocketError(this: Socket, error: NodeJS.ErrnoException): void {
  // A failed write (EPIPE, a reset while writing) shows up here, before the response closes.
  (this as unknown as Partial<WithSession>)[kSession]?.writeFailed(error);
}
function afterEnd(this: ServerResponse): void {
  // Over HTTP/2 node calls it on the stream, which has no session: there is no connection to close.
  (this as unknown as Partial<WithSession>)[kSession]?.closeConnection();
}
function onKeepalive(session: SseSession): void {
  session.guard(session.onKeepalive);
}

/** true when the request carries a body (RFC 9112 §6.3: Content-Length > 0, or Transfer-Encoding). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Response headers the server owns on an event stream; the app's copies of these are dropped. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection']);

/**
 * One Server-Sent Events request, from `sse.request` to the end of the stream. It writes every
 * event to the socket at once (no cork, Nagle off), applies the HTTP watermarks to `await
 * send()`, runs keepalive comments and reports why the stream ended (`sse.disconnect`).
 *
 * @example
 * new SseSession(ctx, req, res).run();
 */
export class SseSession extends SessionLifecycle<Inbound> implements IdleOwner {
  readonly scope: SseScope;
  private state: State = 'init';
  private readonly validator: SendValidator;
  private readonly transport: WatermarkTransport;
  private reading: Promise<Inbound> | undefined;
  private requestDone = false;
  private decline: { status: number; headers: HeaderList; chunks: Uint8Array[] } | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private keepaliveText = ':\n\n';
  /** `sseIdleTimeout`, from `sse.start` on; touched by the app's events and comments only. */
  private idle: IdleTimer | undefined;
  private endReason: string | undefined;
  /** Set when the socket failed under the stream; reported instead of `client_closed`. */
  private failure: string | undefined;
  /** true once the app ended the exchange itself (`sse.close`, a complete decline). */
  private endedByApp = false;

  readonly receive: Receive<'sse'>;
  readonly send: Send<'sse'>;

  constructor(
    ctx: ServerContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    super(ctx, 200);
    const base = buildScopeBase(req, ctx, 'sse');
    // fullflush is an http-scope extension only (D-10).
    if (base.extensions.fullflush !== undefined) {
      const { fullflush: _drop, ...rest } = base.extensions;
      base.extensions = rest;
    }
    this.transport = new WatermarkTransport(
      res,
      ctx.options.writeHighWaterMark,
      ctx.options.writeLowWaterMark,
    );
    // The scope is the base object completed in place: one object per stream, not two.
    const scope = base as SseScope;
    scope.type = 'sse';
    scope.method = req.method ?? 'GET';
    scope['pagi.transport'] = this.transport;
    this.scope = scope;
    this.validator = createSendValidator(this.scope, { fields: ctx.options.validateEvents });
    this.receive = () => this.nextEvent();
    this.send = (event) => this.handleSend(event);

    // Events must leave at once: a stream is many tiny writes that Nagle would hold back.
    req.socket.setNoDelay(true);
    (res as unknown as WithSession)[kSession] = this;
    (req.socket as unknown as WithSession)[kSession] = this;
    // Over HTTP/2 the request's socket is a view whose listeners go on the stream
    // (http2/session-request.ts), so the stream is the emitter `onSocketError` runs on.
    const stream = (req as { stream?: object }).stream;
    if (stream !== undefined) (stream as WithSession)[kSession] = this;
    res.on('close', onResponseClose);
    res.on('error', onResponseError);
    req.socket.on('error', onSocketError);
    ctx.track(this);
  }

  /** Calls the app; nothing it does can escape into the event loop. */
  run(): void {
    this.runApp(this.scope, this.receive as Receive, this.send as Send);
  }

  protected get protocol(): 'sse' {
    return 'sse';
  }

  /** @internal (SessionLifecycle) */
  protected drop(): void {
    this.res.destroy();
  }

  /** Graceful stop: the stream ends cleanly (chunk terminator); the app sees `server_shutdown`. */
  shutdown(): void {
    if (this.state === 'init') {
      this.status = 503;
      this.res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      this.endStream('server_shutdown', 'server shutting down\n');
    } else if (this.state === 'streaming') {
      this.endStream('server_shutdown');
    } else if (this.state === 'declining') {
      this.sendDecline();
    }
  }

  // --- inbound ----------------------------------------------------------------------------------

  private nextEvent(): Promise<Inbound> {
    if (this.requestDone || this.mailbox.finished) return this.mailbox.receive();
    // D-15: a call made while a body read is pending shares it.
    this.reading ??= this.readBody().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** `sse.request` events: the body as it arrives, pulled one chunk per receive() (§5.6). */
  private async readBody(): Promise<Inbound> {
    const req = this.req;
    // The usual case, a GET without a body: one empty event, and nothing attached to the request.
    if (!hasBody(req)) {
      this.requestDone = true;
      return { type: 'sse.request', body: EMPTY, more: false };
    }
    for (;;) {
      const chunk = req.read() as Buffer | null;
      if (chunk !== null) return { type: 'sse.request', body: chunk, more: true };
      if (req.readableEnded) {
        this.requestDone = true;
        return { type: 'sse.request', body: EMPTY, more: false };
      }
      if (req.destroyed) {
        this.requestDone = true;
        this.finish('client_closed');
        return this.mailbox.receive();
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          req.off('readable', wake);
          req.off('end', wake);
          req.off('close', wake);
          resolve();
        };
        req.on('readable', wake);
        req.on('end', wake);
        req.on('close', wake);
      });
    }
  }

  // --- outbound ---------------------------------------------------------------------------------

  private handleSend(event: Outbound): Promise<void> {
    // The app's own end is checked first (protocol.md §5.3): after `sse.close` or a finished
    // decline the validator raises; after the client left or the server stopped, sends are no-ops.
    if (this.mailbox.finished && !this.endedByApp) return RESOLVED;
    let verdict: string;
    try {
      verdict = this.validator.check(event);
    } catch (error) {
      return Promise.reject(error);
    }
    if (verdict === 'ignore' || this.state === 'ended') return RESOLVED;
    switch (event.type) {
      case 'sse.send':
        return this.write(formatSseMessage(event));
      case 'sse.comment':
        return this.write(formatSseComment(event.comment));
      case 'sse.start':
        this.start(event.status ?? 200, event.headers ?? []);
        return RESOLVED;
      case 'sse.keepalive':
        this.setKeepalive(event.interval * 1000, event.comment ?? '');
        return RESOLVED;
      case 'sse.close':
        this.endedByApp = true;
        this.endStream(event.reason ?? '');
        return RESOLVED;
      case 'sse.http.response.start':
        this.state = 'declining';
        this.decline = { status: event.status, headers: event.headers ?? [], chunks: [] };
        return RESOLVED;
      case 'sse.http.response.body': {
        const body = event.body;
        if (body !== undefined)
          this.decline!.chunks.push(typeof body === 'string' ? Buffer.from(body) : body);
        if (event.more !== true) {
          this.endedByApp = true;
          this.sendDecline();
        }
        return RESOLVED;
      }
      default:
        return RESOLVED;
    }
  }

  private start(status: number, headers: HeaderList): void {
    this.state = 'streaming';
    this.status = status;
    const flat: string[] = [];
    let hasType = false;
    let hasCache = false;
    let hasBuffering = false;
    for (const [name, value] of headers) {
      if (FRAMING.has(name)) continue;
      if (name === 'content-type') hasType = true;
      else if (name === 'cache-control') hasCache = true;
      else if (name === 'x-accel-buffering') hasBuffering = true;
      flat.push(name, value);
    }
    if (!hasType) flat.push('content-type', 'text/event-stream');
    if (!hasCache) flat.push('cache-control', 'no-cache');
    // nginx buffers proxied responses unless told not to; an event stream must not be held back.
    if (!hasBuffering) flat.push('x-accel-buffering', 'no');
    if (this.req.httpVersion === '1.1') flat.push('connection', 'keep-alive');
    const res = this.res;
    res.writeHead(status, flat);
    res.flushHeaders();
    const { sseKeepaliveInterval: interval, sseIdleTimeout } = this.ctx.options;
    if (interval > 0 && this.keepaliveTimer === undefined) this.setKeepalive(interval, '');
    if (sseIdleTimeout > 0) {
      this.idle = new IdleTimer(this, sseIdleTimeout);
      this.idle.start();
    }
  }

  private write(text: string): Promise<void> {
    if (this.state !== 'streaming') return RESOLVED;
    this.idle?.touch();
    this.bytesSent += Buffer.byteLength(text);
    this.res.write(text);
    return this.transport.waitForRoom();
  }

  private setKeepalive(intervalMs: number, comment: string): void {
    if (this.keepaliveTimer !== undefined) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    if (intervalMs <= 0) return;
    this.keepaliveText = formatSseComment(comment);
    // A failed keepalive write is how a vanished client is noticed within one interval.
    this.keepaliveTimer = setInterval(onKeepalive, intervalMs, this);
    this.keepaliveTimer.unref();
  }

  /** @internal timer callback */
  onKeepalive(): void {
    if (this.state !== 'streaming') return;
    const socket = this.req.socket;
    if (socket.destroyed || !socket.writable) {
      this.finish('client_closed');
      return;
    }
    this.bytesSent += this.keepaliveText.length;
    this.res.write(this.keepaliveText);
  }

  /** @internal (IdleOwner) Only what the app sends counts; nothing else moves. */
  progress(): number {
    return 0;
  }

  /** @internal (IdleOwner) */
  onIdle(): void {
    this.guard(this.endIdle);
  }

  /**
   * The app sent no event or comment for `sseIdleTimeout`: the stream ends cleanly (the client
   * may reconnect) and the app sees `sse.disconnect {reason: 'idle_timeout'}` (§3.10). Keepalive
   * comments are the server's, not the app's, so they do not keep a stream alive: otherwise the
   * two options would cancel out.
   */
  private endIdle(): void {
    if (this.state !== 'streaming') return;
    this.ctx.logger.debug(`sse stream idle for ${this.ctx.options.sseIdleTimeout} ms; ending it`);
    this.endStream('idle_timeout');
  }

  private sendDecline(): void {
    const decline = this.decline!;
    this.status = decline.status;
    const body = decline.chunks.length === 1 ? decline.chunks[0]! : Buffer.concat(decline.chunks);
    const flat: string[] = [];
    for (const [name, value] of decline.headers) {
      if (FRAMING.has(name)) continue;
      flat.push(name, value);
    }
    const bodyless = decline.status < 200 || decline.status === 204 || decline.status === 304;
    if (!bodyless) flat.push('content-length', String(body.byteLength));
    flat.push('connection', 'close');
    this.res.writeHead(decline.status, flat);
    this.bytesSent += body.byteLength;
    // No stream started, so no sse.disconnect is owed; receive() still must not hang.
    this.endStream('', bodyless ? undefined : body);
  }

  /**
   * Ends the response cleanly (HTTP/1.1: the chunk terminator) and closes the connection: an
   * event stream's connection is never reused (server-parity §1.6).
   */
  private endStream(reason: string, body?: string | Uint8Array): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endReason = reason;
    this.stopTimers();
    const res = this.res;
    res.shouldKeepAlive = false;
    if (body === undefined) res.end(afterEnd);
    else res.end(body, afterEnd);
    this.finish(reason);
  }

  /** @internal The terminator is out: close the connection too, it is never reused (§1.6). */
  closeConnection(): void {
    // res.socket is already detached when 'finish' runs; the request keeps the socket.
    this.req.socket.end();
  }

  private stopTimers(): void {
    if (this.keepaliveTimer !== undefined) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    this.idle?.stop();
  }

  // --- the end ----------------------------------------------------------------------------------

  /** @internal */
  onResponseClose(): void {
    // 'close' before our own end means the connection went away under the stream.
    if (this.state !== 'ended') {
      this.state = 'ended';
      this.stopTimers();
    }
    this.finish(this.res.writableFinished ? (this.endReason ?? '') : (this.failure ?? 'client_closed'));
  }

  /** @internal */
  writeFailed(error: NodeJS.ErrnoException): void {
    this.ctx.logger.debug(`sse socket error: ${error.message}`);
    // EPIPE is a write that failed; a reset or an EOF is the client leaving (client_closed).
    if (error.code === 'EPIPE') this.failure ??= 'write_error';
  }

  /** @internal */
  onResponseError(error: Error): void {
    this.ctx.logger.debug(`sse write failed: ${error.message}`);
    this.finish('write_error');
  }

  /** @internal (SessionLifecycle) */
  protected onAppDone(error: unknown, threw: boolean): void {
    if (threw) this.ctx.logger.error('sse application error', error);
    switch (this.state) {
      case 'init':
        // D-12: nothing was started, so the server answers 500.
        this.status = 500;
        this.res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        this.endStream('server_error', 'Internal Server Error\n');
        break;
      case 'declining':
        this.sendDecline();
        break;
      case 'streaming':
        // Ending by return looks on the wire exactly like sse.close (protocol.md §4.4.7).
        this.endStream(threw ? 'server_error' : '');
        break;
      default:
        break;
    }
  }

  /** Records the end once: the disconnect event, timers, tracking, the access-log line. @internal */
  finish(reason: string): void {
    if (this.mailbox.finished) return;
    if (this.state !== 'ended') {
      this.state = 'ended';
      this.endReason = reason;
      this.stopTimers();
      // The peer is gone or unwritable: release the socket instead of waiting for a timeout.
      this.res.destroy();
    }
    this.transport.dispose();
    this.endSession({ type: 'sse.disconnect', reason }, this.logInfo());
  }

  private logInfo(): SessionLogInfo | undefined {
    if (this.ctx.options.accessLog === 'off') return undefined;
    const req = this.req;
    const ua = req.headers['user-agent'];
    const ref = req.headers.referer;
    return {
      client: this.scope.client?.[0] ?? '-',
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      httpVersion: req.httpVersion,
      ...(ua === undefined ? {} : { userAgent: ua }),
      ...(ref === undefined ? {} : { referer: ref }),
    };
  }
}
