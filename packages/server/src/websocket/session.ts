import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSendValidator,
  type HeaderList,
  type ReceiveEvent,
  type Receive,
  type Send,
  type SendEvent,
  type SendValidator,
  SETTLED,
  type WebSocketDisconnectEvent,
  type WebSocketScope,
} from '@pagi/spec';
import type { WebSocket } from 'ws';
import type { ServerContext } from '../internal/context.js';
import { buildScopeBase } from '../internal/scope-base.js';
import { closeFromWsError } from './close-info.js';
import { internHandshakeHeaders } from './intern.js';
import { decodeText, encodeText } from './text-bytes.js';
import { WatermarkTransport } from './watermark-transport.js';
import { LazyTransportView } from '../internal/lazy-transport-view.js';
import { type IdleOwner, IdleTimer } from '../internal/idle-timer.js';
import { SessionLifecycle, type SessionLogInfo } from '../internal/session-lifecycle.js';

type Inbound = ReceiveEvent<'websocket'>;
type Outbound = SendEvent<'websocket'>;
type State = 'connecting' | 'denying' | 'open' | 'closing' | 'closed';

/** What `accept` asked for, read by the shared `ws` server's `handleProtocols` and `headers` hooks. */
export interface AcceptRequest {
  subprotocol: string | undefined;
  headers: HeaderList | undefined;
}

/** Attached to the request while `wss.handleUpgrade` runs, so the shared hooks find the app's choice. */
export const kAcceptRequest: unique symbol = Symbol('pagi.ws.accept');

/**
 * How a session completes or refuses its handshake on the wire: HTTP/1.1 Upgrade through ws's
 * server (a 101, or a raw HTTP/1.1 answer), or RFC 8441 on an HTTP/2 stream (src/websocket/
 * h2-handshake.ts: a 200, or an ordinary response on the stream). Everything else — the scope,
 * the app's accept/deny/close, frames through ws's Receiver and Sender — is the same session.
 */
export interface WebSocketHandshake {
  /** Completes the handshake (the app's choice is on `req[kAcceptRequest]`); `cb` gets the open ws. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocket) => void): void;
  /** Answers with an HTTP response instead (refusal, denial) and ends the carrier. */
  respond(socket: Duplex, status: number, headers: HeaderList, body: Uint8Array): void;
}
export type UpgradeRequest = IncomingMessage & { [kAcceptRequest]?: AcceptRequest };

const RESOLVED: Promise<void> = SETTLED; // @pagi/spec's shared one: a caller may skip awaiting it
/** `ws.send` options for a text frame whose payload is given as bytes (ws copies them, never mutates). */
const TEXT_FRAME = Object.freeze({ binary: false });
const BINARY_FRAME = Object.freeze({ binary: true });
const CONNECT: Inbound = Object.freeze({ type: 'websocket.connect' }) as Inbound;
/** Inbound bytes queued for the app beyond which the socket is no longer read. */
const PAUSE_BYTES = 1024 * 1024;
/** Before accept a peer should send nothing (RFC 6455 §4.1); anything beyond this is refused. */
const MAX_EARLY_BYTES = 64 * 1024;

function disconnect(code: number, reason: string): WebSocketDisconnectEvent {
  return { type: 'websocket.disconnect', code, reason };
}

/**
 * Listeners are module-level functions that find their session through a symbol on the emitter,
 * instead of per-connection closures: an idle connection then costs a few hundred bytes less,
 * which adds up at tens of thousands of connections (apps/bench/ws-conn-scale.mjs).
 */
const kSession = Symbol('pagi.ws.session');
type WithSession = { [kSession]: WebSocketSession };

function sessionOf(emitter: unknown): WebSocketSession {
  return (emitter as WithSession)[kSession];
}
function onWsMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  sessionOf(this).onMessage(data, isBinary);
}
function onWsClose(this: WebSocket, code: number, reason: Buffer): void {
  const session = sessionOf(this);
  session.guard(session.onClose, code, reason);
}
function onWsError(this: WebSocket, error: Error): void {
  sessionOf(this).onWsError(error);
}
function onWsPong(this: WebSocket): void {
  sessionOf(this).onPong();
}
/** An inbound ping or pong: activity for the idle timeout (attached only when it is on). */
function onWsControl(this: WebSocket): void {
  sessionOf(this).idle!.touch();
}
function onSocketError(this: Duplex, error: NodeJS.ErrnoException): void {
  sessionOf(this).onSocketError(error);
}
function onEarlyData(this: Duplex, chunk: Buffer): void {
  sessionOf(this).onEarlyData(chunk);
}
function onEarlyEnd(this: Duplex): void {
  const session = sessionOf(this);
  session.guard(session.onEarlyEnd);
}
function onEarlyError(this: Duplex, error: Error): void {
  sessionOf(this).onEarlyError(error);
}
function onHandshakeTimeout(session: WebSocketSession): void {
  session.guard(session.onHandshakeTimeout);
}
function onPing(session: WebSocketSession): void {
  session.guard(session.ping);
}
function onPongTimeout(session: WebSocketSession): void {
  session.guard(session.onPongTimeout);
}

/**
 * One WebSocket connection from the upgrade request to the final `websocket.disconnect`: the
 * scope, the inbound queue, the send state machine (via the spec validator), the deferred
 * handshake and keepalive. Created by the handler; the app runs at once.
 *
 * @example
 * new WebSocketSession(ctx, wss, sessions, req, socket, head, subprotocolsOf(req) ?? []).run();
 */
export class WebSocketSession extends SessionLifecycle<Inbound> implements IdleOwner {
  readonly scope: WebSocketScope;
  private state: State = 'connecting';
  private readonly validator: SendValidator;
  /** Created on first use (the app reads `pagi.transport`, or the socket backs up). */
  private transportView: WatermarkTransport | undefined;
  private ws: WebSocket | undefined;
  private req: UpgradeRequest | undefined;
  private early: Buffer[] | undefined;
  private earlyBytes = 0;
  private denial: { status: number; headers: HeaderList; chunks: Uint8Array[] } | undefined;
  /** Set when the server ended the connection itself; reported instead of what ws saw. */
  private serverEnd: WebSocketDisconnectEvent | undefined;
  private protocolError: WebSocketDisconnectEvent | undefined;
  private socketErrorReason: string | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private pongTimeoutMs = 0;
  /** `wsIdleTimeout`, from accept on; touched by every message in or out and every ping/pong in. @internal */
  idle: IdleTimer | undefined;
  /**
   * Set when permessage-deflate was negotiated: ws's write callback, passed with every send. A
   * message being compressed counts in `bufferedAmount` but never backs up the socket, so no
   * 'drain' follows it; this callback is what releases an `await send()` then. One closure per
   * compressed connection; the uncompressed path passes none.
   */
  private afterCompressedWrite: (() => void) | undefined;
  private overflowed = false;
  /** Bytes of the messages waiting in the queue (reset when it empties). */
  private queuedBytes = 0;
  private readPaused = false;
  private readonly logInfo: SessionLogInfo | undefined;

  readonly receive: Receive<'websocket'>;
  readonly send: Send<'websocket'>;

  constructor(
    ctx: ServerContext,
    private readonly wss: WebSocketHandshake,
    /** The handler's live sessions; a session removes itself when it ends. */
    private readonly registry: Set<WebSocketSession>,
    req: IncomingMessage,
    private readonly socket: Duplex,
    head: Buffer,
    subprotocols: string[],
  ) {
    // The access-log status: a 101 on HTTP/1.1; RFC 8441 accepts with a 200 (h2-handshake.ts).
    super(ctx, req.httpVersion === '2' ? 200 : 101);
    this.req = req;
    this.early = head.length > 0 ? [head] : [];
    this.earlyBytes = head.length;
    const options = ctx.options;
    const base = buildScopeBase(req, ctx, 'websocket');
    internHandshakeHeaders(base.headers);
    // One literal with every key, so the scope a connection keeps for its whole life is a single
    // compact object (keys added later would live in a separate, growable property store).
    const scope: WebSocketScope = {
      type: 'websocket',
      pagi: base.pagi,
      http_version: base.http_version,
      scheme: base.scheme as 'ws' | 'wss',
      path: base.path,
      raw_path: base.raw_path,
      query_string: base.query_string,
      root_path: base.root_path,
      headers: base.headers,
      client: base.client,
      server: base.server,
      subprotocols,
      state: base.state,
      // The denial extension is always available on HTTP/1.1 (protocol.md §4.3).
      extensions:
        base.extensions['websocket.http.response'] === undefined
          ? { ...base.extensions, 'websocket.http.response': {} }
          : base.extensions,
      // A one-field view: the watermark state behind it is built on first use (most sessions
      // never look at it; memory per idle connection).
      'pagi.transport': new LazyTransportView(this),
    };
    // D-5: an optional key with no value is omitted (a Unix socket has no client address).
    if (scope.client === undefined) delete (scope as Partial<WebSocketScope>).client;
    if (scope.server === undefined) delete (scope as Partial<WebSocketScope>).server;
    this.scope = scope;
    this.validator = createSendValidator(this.scope, { fields: options.validateEvents });
    if (options.accessLog !== 'off') {
      const ua = req.headers['user-agent'];
      const ref = req.headers.referer;
      this.logInfo = {
        client: this.scope.client?.[0] ?? '-',
        method: 'GET',
        target: req.url ?? '/',
        httpVersion: req.httpVersion,
        ...(ua === undefined ? {} : { userAgent: ua }),
        ...(ref === undefined ? {} : { referer: ref }),
      };
    }
    this.mailbox.push(CONNECT);
    this.receive = () => this.takeNext();
    this.send = (event) => this.handleSend(event);

    // Read (and keep) whatever arrives before the app decides: this is how a peer that goes away
    // before accept is noticed. A conforming client sends nothing until it sees the 101.
    (socket as unknown as WithSession)[kSession] = this;
    socket.on('data', onEarlyData);
    socket.on('end', onEarlyEnd);
    socket.on('close', onEarlyEnd);
    socket.on('error', onEarlyError);
    if (options.wsHandshakeTimeout > 0) {
      this.handshakeTimer = setTimeout(onHandshakeTimeout, options.wsHandshakeTimeout, this);
      this.handshakeTimer.unref();
    }
    ctx.track(this);
    registry.add(this);
  }

  /** The session's `pagi.transport`; ws reports the outbound queue, the session is the measured source. */
  transport(): WatermarkTransport {
    const options = this.ctx.options;
    this.transportView ??= new WatermarkTransport(
      this,
      options.writeHighWaterMark,
      options.writeLowWaterMark,
    );
    return this.transportView;
  }

  /** Bytes queued for the peer: ws's count once open, the raw socket's before (§3.9). */
  get writableLength(): number {
    return this.ws === undefined ? this.socket.writableLength : this.ws.bufferedAmount;
  }

  /** `drain`/`close` of the underlying socket, for the transport view. */
  on(event: 'drain' | 'close', listener: () => void): void {
    this.socket.on(event, listener);
  }

  off(event: 'drain' | 'close', listener: () => void): void {
    this.socket.off(event, listener);
  }

  /** Calls the app; nothing it does (throw, return early) can escape into the event loop. */
  run(): void {
    this.runApp(this.scope, this.receive as Receive, this.send as Send);
  }

  protected get protocol(): 'websocket' {
    return 'websocket';
  }

  /** @internal (SessionLifecycle) */
  protected drop(): void {
    this.socket.destroy();
  }

  /** Graceful stop: close 1001 after accept, 503 before (the app sees `server_shutdown`). */
  shutdown(): void {
    if (this.state === 'connecting' || this.state === 'denying') {
      this.status = 503;
      this.refuse(() => this.respondText(503, 'server shutting down\n'));
      this.finish(disconnect(1006, 'server_shutdown'));
    } else if (this.state === 'open') {
      this.serverEnd = disconnect(1001, 'server_shutdown');
      this.state = 'closing';
      this.ws!.close(1001, 'server_shutdown');
    }
  }

  // --- outbound ---------------------------------------------------------------------------------

  private handleSend(event: Outbound): Promise<void> {
    // After the connection is gone every send is a no-op (protocol.md §2.5, D-6).
    if (this.state === 'closed') return RESOLVED;
    let verdict: string;
    try {
      verdict = this.validator.check(event);
    } catch (error) {
      return Promise.reject(error);
    }
    if (verdict === 'ignore') return RESOLVED;
    switch (event.type) {
      case 'websocket.send':
        return this.sendMessage(event);
      case 'websocket.accept':
        this.accept(event.subprotocol, event.headers);
        return RESOLVED;
      case 'websocket.close':
        this.close(event.code ?? 1000, event.reason ?? '');
        return RESOLVED;
      case 'websocket.keepalive':
        this.setKeepalive(event.interval * 1000, (event.timeout ?? 0) * 1000);
        return RESOLVED;
      case 'websocket.http.response.start':
        this.state = 'denying';
        this.denial = { status: event.status, headers: event.headers ?? [], chunks: [] };
        return RESOLVED;
      case 'websocket.http.response.body': {
        const denial = this.denial!;
        const body = event.body;
        if (body !== undefined) denial.chunks.push(typeof body === 'string' ? Buffer.from(body) : body);
        if (event.more !== true) this.sendDenial();
        return RESOLVED;
      }
      default:
        return RESOLVED;
    }
  }

  private sendMessage(event: Extract<Outbound, { type: 'websocket.send' }>): Promise<void> {
    if (this.state !== 'open') return RESOLVED;
    const ws = this.ws!;
    const text = event.text;
    const written = this.afterCompressedWrite;
    this.idle?.touch();
    if (text !== undefined) {
      const data = encodeText(text);
      if (this.logInfo !== undefined) this.bytesSent += data.byteLength;
      if (written === undefined) ws.send(data, TEXT_FRAME);
      else ws.send(data, TEXT_FRAME, written);
    } else {
      const bytes = event.bytes;
      const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      if (this.logInfo !== undefined) this.bytesSent += data.byteLength;
      if (written === undefined) ws.send(data);
      else ws.send(data, BINARY_FRAME, written);
    }
    // `await send()` waits while ws + socket hold more than the high mark (protocol.md §5.6);
    // waitForRoom() also fires on_high_water on the rising edge. Fast path: below the mark and no
    // transport view yet, nothing can be waiting or listening.
    if (this.transportView === undefined && ws.bufferedAmount < this.ctx.options.writeHighWaterMark) {
      return RESOLVED;
    }
    return this.transport().waitForRoom();
  }

  private accept(subprotocol: string | undefined, headers: HeaderList | undefined): void {
    const req = this.req!;
    this.clearHandshakeTimer();
    this.detachEarly();
    const early = this.early!;
    const head = early.length === 1 ? early[0]! : Buffer.concat(early);
    this.early = undefined;
    req[kAcceptRequest] = { subprotocol, headers };
    this.state = 'open';
    // ws re-checks the request and writes the 101; its callback runs synchronously when the
    // socket is still usable. A socket that already ended is destroyed there instead.
    this.wss.handleUpgrade(req, this.socket, head, (ws) => this.attach(ws));
    req[kAcceptRequest] = undefined;
    this.req = undefined;
    if (this.ws === undefined) this.finish(disconnect(1006, 'client_closed'));
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    (ws as unknown as WithSession)[kSession] = this;
    ws.on('message', onWsMessage);
    ws.on('close', onWsClose);
    ws.on('error', onWsError);
    if (ws.extensions !== '') this.afterCompressedWrite = () => this.transportView?.recheck();
    const { wsPingInterval, wsPingTimeout, wsIdleTimeout } = this.ctx.options;
    if (wsIdleTimeout > 0) {
      this.idle = new IdleTimer(this, wsIdleTimeout);
      this.idle.start();
      ws.on('ping', onWsControl);
      ws.on('pong', onWsControl);
    }
    if (wsPingInterval > 0) this.setKeepalive(wsPingInterval, wsPingTimeout);
  }

  private close(code: number, reason: string): void {
    if (this.state === 'connecting') {
      // Close before accept refuses the handshake with a bare 403 (protocol.md §4.2.6).
      this.status = 403;
      this.refuse(() => this.respondText(403, 'Forbidden\n'));
      this.finish(disconnect(1006, ''));
      return;
    }
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.ws!.close(code, reason);
  }

  private sendDenial(): void {
    const denial = this.denial!;
    this.status = denial.status;
    const body = denial.chunks.length === 1 ? denial.chunks[0]! : Buffer.concat(denial.chunks);
    this.refuse(() => this.wss.respond(this.socket, denial.status, denial.headers, body));
    // No websocket.disconnect is owed after a denial; a receive() still must not hang (§4.3).
    this.finish(disconnect(1006, ''));
  }

  private respondText(status: number, message: string): void {
    this.wss.respond(
      this.socket,
      status,
      [['content-type', 'text/plain; charset=utf-8']],
      Buffer.from(message),
    );
  }

  /** Ends a handshake that will never complete, writing the HTTP answer with `write`. */
  private refuse(write: () => void): void {
    this.clearHandshakeTimer();
    this.detachEarly();
    this.early = undefined;
    this.req = undefined;
    write();
  }

  // --- keepalive --------------------------------------------------------------------------------

  private setKeepalive(intervalMs: number, timeoutMs: number): void {
    this.stopKeepalive();
    if (intervalMs <= 0 || this.ws === undefined) return;
    this.pongTimeoutMs = timeoutMs;
    this.ws.on('pong', onWsPong);
    this.pingTimer = setInterval(onPing, intervalMs, this);
    this.pingTimer.unref();
  }

  private stopKeepalive(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    if (this.pongTimer !== undefined) clearTimeout(this.pongTimer);
    this.pingTimer = this.pongTimer = undefined;
    this.ws?.off('pong', onWsPong);
  }

  /** @internal timer callback */
  ping(): void {
    const ws = this.ws;
    if (ws === undefined || this.state !== 'open') return;
    // One outstanding deadline at a time: an unanswered ping is not forgiven by the next one.
    if (this.pongTimeoutMs > 0 && this.pongTimer === undefined) {
      this.pongTimer = setTimeout(onPongTimeout, this.pongTimeoutMs, this);
      this.pongTimer.unref();
    }
    ws.ping();
  }

  /** @internal */
  onPong(): void {
    if (this.pongTimer !== undefined) clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  /** @internal */
  onPongTimeout(): void {
    this.pongTimer = undefined;
    // A dead peer cannot take part in a closing handshake: drop it (1006 is never sent, §4.2.5).
    this.serverEnd = disconnect(1006, 'keepalive_timeout');
    this.ws?.terminate();
  }

  // --- idle timeout -----------------------------------------------------------------------------

  /** @internal (IdleOwner) Bytes read so far: a message still arriving in fragments is not idle. */
  progress(): number {
    return (this.socket as { bytesRead?: number }).bytesRead ?? 0;
  }

  /** @internal (IdleOwner) */
  onIdle(): void {
    this.guard(this.closeIdle);
  }

  /**
   * No frame either way for `wsIdleTimeout`: a close handshake with 1001 (RFC 6455 §7.4.1, "going
   * away": the server is leaving this connection; the peer did nothing wrong, so not 1008), and the
   * app is told `1001 idle_timeout` (§3.10) whatever the peer answers.
   */
  private closeIdle(): void {
    if (this.state !== 'open') return;
    this.ctx.logger.debug(`websocket idle for ${this.ctx.options.wsIdleTimeout} ms; closing with 1001`);
    this.serverEnd = disconnect(1001, 'idle_timeout');
    this.state = 'closing';
    this.ws!.close(1001, 'idle_timeout');
  }

  // --- inbound ----------------------------------------------------------------------------------

  /** @internal */
  onMessage(data: Buffer, isBinary: boolean): void {
    this.idle?.touch();
    if (this.overflowed) return;
    const limit = this.ctx.options.wsMaxQueue;
    if (limit > 0 && this.mailbox.size >= limit) {
      // The app stopped receiving: bound the memory and tell both sides (protocol.md §5.6).
      this.overflowed = true;
      this.serverEnd = disconnect(1008, 'queue_overflow');
      this.state = 'closing';
      this.ws!.close(1008, 'queue_overflow');
      this.ctx.logger.warn(`websocket inbound queue over ${limit} messages; closing with 1008`);
      return;
    }
    this.mailbox.push(
      isBinary
        ? { type: 'websocket.receive', bytes: data }
        : { type: 'websocket.receive', text: decodeText(data) },
    );
    // The count limit alone would let 1000 messages of up to wsMaxMessageSize pile up. Past a
    // byte budget, stop reading the socket instead: TCP then slows the peer down. (Pongs and close
    // frames wait too, so this only starts when the app has fallen well behind.)
    if (this.mailbox.size > 0) {
      this.queuedBytes += data.length;
      if (this.queuedBytes >= PAUSE_BYTES && !this.readPaused) {
        this.readPaused = true;
        this.ws!.pause();
        this.ctx.logger.debug(`websocket inbound queue holds ${this.queuedBytes} bytes; pausing reads`);
      }
    }
  }

  /** receive() for the app: the next event, and reading resumes once the app has caught up. */
  private takeNext(): Promise<Inbound> {
    const next = this.mailbox.receive();
    if (this.queuedBytes > 0 && this.mailbox.size === 0) {
      this.queuedBytes = 0;
      if (this.readPaused) {
        this.readPaused = false;
        this.ws?.resume();
        this.ctx.logger.debug('websocket inbound queue drained; resuming reads');
      }
    }
    return next;
  }

  /** @internal */
  onWsError(error: Error): void {
    // ws fails the connection after this with the matching close code (RFC 6455 §7.1.7).
    this.protocolError ??= closeFromWsError(error);
    this.ctx.logger.debug(`websocket protocol error: ${error.message}`);
  }

  /** @internal */
  onSocketError(error: NodeJS.ErrnoException): void {
    this.socketErrorReason ??= error.code === 'EPIPE' ? 'write_error' : 'client_closed';
  }

  /** @internal */
  onClose(code: number, reason: Buffer): void {
    let event: WebSocketDisconnectEvent;
    if (this.serverEnd !== undefined) event = this.serverEnd;
    else if (this.protocolError !== undefined) event = this.protocolError;
    else if (code === 1006) event = disconnect(1006, this.socketErrorReason ?? 'client_closed');
    else event = disconnect(code, reason.toString());
    this.finish(event);
  }

  // --- before accept ----------------------------------------------------------------------------

  /** @internal */
  onEarlyData(chunk: Buffer): void {
    this.earlyBytes += chunk.length;
    if (this.earlyBytes > MAX_EARLY_BYTES) {
      this.socket.destroy();
      return;
    }
    this.early!.push(chunk);
  }

  /** @internal */
  onEarlyEnd(): void {
    if (this.state !== 'connecting' && this.state !== 'denying') return;
    this.refuse(() => this.socket.destroy());
    this.finish(disconnect(1006, 'client_closed'));
  }

  /** @internal */
  onEarlyError(error: Error): void {
    this.ctx.logger.debug(`websocket handshake socket error: ${error.message}`);
  }

  /** @internal */
  onHandshakeTimeout(): void {
    this.handshakeTimer = undefined;
    if (this.state !== 'connecting' && this.state !== 'denying') return;
    this.ctx.logger.warn(
      `websocket app did not accept or deny within ${this.ctx.options.wsHandshakeTimeout} ms; answering 500`,
    );
    this.status = 500;
    this.refuse(() => this.respondText(500, 'Internal Server Error\n'));
    this.finish(disconnect(1006, 'server_error'));
  }

  private detachEarly(): void {
    const socket = this.socket;
    socket.off('data', onEarlyData);
    socket.off('end', onEarlyEnd);
    socket.off('close', onEarlyEnd);
    socket.off('error', onEarlyError);
    // Errors after this point (a late RST) must still not become uncaught exceptions.
    socket.on('error', onSocketError);
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== undefined) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  // --- the end ----------------------------------------------------------------------------------

  /** @internal (SessionLifecycle) */
  protected onAppDone(error: unknown, threw: boolean): void {
    if (threw) this.ctx.logger.error('websocket application error', error);
    switch (this.state) {
      case 'connecting':
        // D-12: no decision before the app ended is a 500 denial.
        this.status = 500;
        this.refuse(() => this.respondText(500, 'Internal Server Error\n'));
        this.finish(disconnect(1006, 'server_error'));
        break;
      case 'denying':
        // A denial whose body never finished is still sent as it stands (D-12).
        this.sendDenial();
        break;
      case 'open':
        this.state = 'closing';
        this.ws!.close(threw ? 1011 : 1000, '');
        break;
      default:
        break;
    }
  }

  private finish(event: WebSocketDisconnectEvent): void {
    if (this.state === 'closed' && this.mailbox.finished) return;
    this.state = 'closed';
    this.stopKeepalive();
    this.idle?.stop();
    this.clearHandshakeTimer();
    this.transportView?.dispose();
    this.registry.delete(this);
    this.endSession(event, this.logInfo);
  }
}
