import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  constants,
  createServer as createHttp2Server,
  type Http2Server,
  type IncomingHttpHeaders,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HeaderList } from '@pagi/spec';
import { HttpExchange } from '../http/exchange.js';
import { refuse as refuseHttp1 } from '../http/simple-response.js';
import { acceptsEventStream } from '../internal/accepts-event-stream.js';
import type { ServerContext } from '../internal/context.js';
import { addressesOf } from '../internal/scope-base.js';
import { type DeadlineSession, H2Deadlines, type LongLivedClock, watchLongLived } from './h2-deadlines.js';
import { h2RequestHead } from './h2-header-list.js';
import { H2StreamRequest, H2StreamResponse } from './h2-stream-io.js';
import { nodeHttp2Options } from './http2-options.js';
import { PagiHttp2Request, PagiHttp2Response } from './pagi-http2-compat.js';
import { sniffPreface } from './preface-sniff.js';
import { prepareSessionRequest } from './session-request.js';
import { takeStreams } from './session-streams.js';
import { SlotList } from './slot-list.js';
import { listenQuietly } from './stream-listener.js';
import { type StreamConnection, StreamSlot } from './stream-slot.js';

/** http2IdleTimeout is checked this many times per period (see Http2Handlers.sweepIdle). */
const IDLE_SWEEPS = 4;
const kRecord: unique symbol = Symbol('pagi.h2-session');
type RecordSession = ServerHttp2Session & { [kRecord]?: SessionRecord };

/** One HTTP/2 connection: its socket, addresses and the streams running an exchange. */
class SessionRecord implements StreamConnection, DeadlineSession {
  readonly socket: Socket;
  readonly session: ServerHttp2Session;
  readonly client: [string, number] | undefined;
  readonly server: [string, number] | [string, null] | undefined;
  readonly streams = new SlotList<StreamSlot>();
  /** Idle sweeps in a row that saw no bytes move and no exchange running (see sweepIdle). */
  idleSweeps = 0;
  /** The socket's bytes read + written at the last sweep. */
  lastBytes = -1;
  /** Resolves on the session's 'close'. */
  readonly closed: Promise<void>;
  /** Slow-loris bookkeeping (h2-deadlines.ts): newest complete header block, open SSE/WebSocket streams. */
  lastStreamId = 0;
  readonly longLived = new Map<ServerHttp2Stream, LongLivedClock>();
  headersPendingId = 0;
  headersPendingSince = 0;
  headersReadBytes = -1;

  constructor(socket: Socket, session: ServerHttp2Session) {
    this.socket = socket;
    this.session = session;
    this.closed = new Promise((resolve) => session.once('close', resolve));
    const addresses = addressesOf(socket);
    this.client = addresses.client;
    this.server = addresses.server;
  }
}

/**
 * Answers a stream the app never sees (same text bodies as HTTP/1.1), then resets it with
 * NO_ERROR once the response is out, so a client still sending a body stops (RFC 9113 §8.1).
 */
function refuse(res: ServerResponse, status: number, detail: string, extra?: string[]): void {
  refuseHttp1(res, status, detail, extra);
  const stream = (res as unknown as Http2ServerResponse).stream;
  if (!stream.closed) stream.close(constants.NGHTTP2_NO_ERROR);
}

/** node's compatibility response, for an answer the server writes itself (refusals, SSE). */
function compatResponse(stream: ServerHttp2Stream, res: Http2ServerResponse | undefined): ServerResponse {
  return (res ?? new PagiHttp2Response(stream)) as unknown as ServerResponse;
}

function runExchange(exchange: HttpExchange): void {
  exchange.run();
}

/**
 * The HTTP/2 side of the server (node:http2, nghttp2 underneath): sessions on sockets the
 * listeners accepted, one exchange per stream through the same body reader, response writer
 * and send-order machine as HTTP/1.1 (src/http/exchange.ts). It never listens itself: the
 * server hands it each connection that negotiated `h2` by ALPN or opened with the h2c preface.
 */
export class Http2Handlers {
  readonly ctx: ServerContext;
  readonly server: Http2Server;
  readonly sessions = new Set<SessionRecord>();
  /** Cleartext connections whose first bytes have not yet told HTTP/2 from HTTP/1.x. */
  readonly undecided = new Set<Socket>();
  private readonly handleSse: (ctx: ServerContext, req: IncomingMessage, res: ServerResponse) => void;
  private readonly handleWebSocket: (req: IncomingMessage, stream: ServerHttp2Stream) => void;
  private pendingSocket: Socket | undefined;
  private idleTimer: NodeJS.Timeout | undefined = undefined;
  /** requestReadTimeout, sendTimeout and the slow-loris header deadline, per stream (h2-deadlines.ts). */
  private readonly deadlines: H2Deadlines;
  /**
   * Per-stream admission (the per-address limit for clients behind a trusted proxy,
   * src/net/connection-guard.ts `admitStream`): the refusal text, or undefined. Unset when not needed.
   */
  admitStream:
    | ((stream: ServerHttp2Stream, peer: string | undefined, headers: HeaderList) => string | undefined)
    | undefined = undefined;

  constructor(
    ctx: ServerContext,
    handleSse: (ctx: ServerContext, req: IncomingMessage, res: ServerResponse) => void,
    handleWebSocket: (req: IncomingMessage, stream: ServerHttp2Stream) => void,
  ) {
    this.ctx = ctx;
    this.handleSse = handleSse;
    this.handleWebSocket = handleWebSocket;
    const o = ctx.options;
    this.server = createHttp2Server({
      ...nodeHttp2Options(o, o.maxHeaderCount),
      Http2ServerRequest: PagiHttp2Request,
      Http2ServerResponse: PagiHttp2Response,
    } as Parameters<typeof createHttp2Server>[0]);
    this.server.on('session', this.onSession);
    // The core stream API, not node's 'request' (which would build the compatibility objects for
    // every stream): see h2-stream-io.ts.
    this.server.on('stream', this.onStream);
    // Session-level errors (bad preface, protocol errors, floods) are the client's problem.
    this.server.on('sessionError', (error: Error) => {
      ctx.logger.debug(`HTTP/2 session error: ${error.message}`);
    });
    this.server.on('timeout', () => {});
    this.deadlines = new H2Deadlines(o, this.sessions, ctx.logger);
  }

  /**
   * Takes a connection if it is HTTP/2: a TLS socket that negotiated `h2` at once; a cleartext
   * one after its first bytes were sniffed (`http1` gets it back otherwise). Returns false for a
   * TLS socket that chose `http/1.1` (the caller serves it as usual).
   */
  claim(socket: Socket, http1: (socket: Socket) => void): boolean {
    if ((socket as TLSSocket).encrypted === true) {
      if ((socket as TLSSocket).alpnProtocol !== 'h2') return false;
      this.startSession(socket);
      return true;
    }
    socket.on('error', noop); // until a server owns it
    const undecided = this.undecided;
    undecided.add(socket);
    // A block body, never `() => undecided.delete(socket)`: node's `emit` hands a listener's
    // non-nullish result to `addCatch` with its argument array, and once that path has run V8
    // builds that array for every event of every emitter in the process (~1k instructions per
    // HTTP/2 request, apps/bench/README.md "Issue 17, session 8"). No listener here returns a value.
    const forget = (): void => {
      undecided.delete(socket);
    };
    socket.on('close', forget);
    sniffPreface(socket, this.ctx.options.headersTimeout, (isH2) => {
      undecided.delete(socket);
      socket.off('close', forget);
      socket.off('error', noop);
      if (isH2) {
        this.startSession(socket);
        return;
      }
      http1(socket);
      socket.resume();
    });
    return true;
  }

  private startSession(socket: Socket): void {
    this.pendingSocket = socket;
    try {
      this.server.emit('connection', socket);
    } finally {
      this.pendingSocket = undefined;
    }
  }

  private readonly onSession = (session: ServerHttp2Session): void => {
    const socket = this.pendingSocket;
    if (socket === undefined) {
      session.destroy();
      return;
    }
    const record = new SessionRecord(socket, session);
    (session as RecordSession)[kRecord] = record;
    this.sessions.add(record);
    session.on('close', () => {
      this.sessions.delete(record);
      if (this.sessions.size === 0) this.deadlines.stop();
      if (this.sessions.size === 0 && this.idleTimer !== undefined) {
        clearInterval(this.idleTimer);
        this.idleTimer = undefined;
      }
    });
    takeStreams(session, (stream, headers, _flags, rawHeaders) => {
      this.openStream(record, stream, headers, rawHeaders);
    });
    session.on('error', (error: Error) => {
      this.ctx.logger.debug(`HTTP/2 session error: ${error.message}`);
    });
    const idle = this.ctx.options.http2IdleTimeout;
    if (idle > 0 && this.idleTimer === undefined) {
      this.idleTimer = setInterval(this.sweepIdle, Math.max(1, Math.ceil(idle / IDLE_SWEEPS)));
      this.idleTimer.unref();
    }
    this.deadlines.start();
    if (this.ctx.stopping) session.close();
  };

  /**
   * http2IdleTimeout, activity-based: a connection whose socket moved no byte (no frame, PING,
   * SSE keepalive) and ran no exchange for IDLE_SWEEPS sweeps in a row (so for between the
   * timeout and 1¼ of it) is closed with GOAWAY. One interval for all connections: node's
   * `session.setTimeout` re-arms a timer on every frame, a measurable share of a stream's CPU.
   */
  private readonly sweepIdle = (): void => {
    for (const record of this.sessions) {
      const socket = record.socket;
      const bytes = socket.bytesRead + socket.bytesWritten;
      if (bytes !== record.lastBytes || record.streams.size > 0) {
        record.lastBytes = bytes;
        record.idleSweeps = 0;
      } else if (++record.idleSweeps >= IDLE_SWEEPS) {
        record.idleSweeps = 0;
        record.session.close();
      }
    }
  };

  /** A stream the server was handed: of a session whose own 'stream' event takeStreams left to node. */
  private readonly onStream = (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    _flags: number,
    rawHeaders: string[],
  ): void => {
    const record = (stream.session as RecordSession | undefined)?.[kRecord];
    if (record === undefined) {
      stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    this.openStream(record, stream, headers, rawHeaders);
  };

  /**
   * One stream of `record`'s connection. A plain request runs on the stream API (h2-stream-io.ts);
   * CONNECT, `expect`, SSE and every refusal go through node's compatibility objects, built here as
   * node's own 'request' dispatch would build them (lib/internal/http2/compat.js onServerStream).
   */
  private openStream(
    record: SessionRecord,
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: string[],
  ): void {
    // The header block is complete, whatever becomes of the stream (even a 417 the app never
    // sees): the slow-loris deadline must not time it (h2-deadlines.ts).
    record.lastStreamId = stream.id!;
    const method = headers[':method']!;
    const expect = headers.expect;
    if (method !== 'CONNECT' && expect === undefined) {
      this.dispatch(record, stream, headers, rawHeaders, undefined, undefined, false);
      return;
    }
    const req = new PagiHttp2Request(stream, headers, undefined, rawHeaders);
    const res = new PagiHttp2Response(stream);
    if (expect === undefined || expect === '100-continue') {
      this.dispatch(record, stream, headers, rawHeaders, req, res, expect !== undefined);
      return;
    }
    // RFC 9110 §10.1.1: an expectation the server does not understand (node's answer).
    res.statusCode = constants.HTTP_STATUS_EXPECTATION_FAILED;
    res.end();
  }

  private dispatch(
    record: SessionRecord,
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: string[],
    compatReq: Http2ServerRequest | undefined,
    compatRes: Http2ServerResponse | undefined,
    expectContinue: boolean,
  ): void {
    const ctx = this.ctx;
    const options = ctx.options;
    const method = headers[':method']!;
    const head = h2RequestHead(rawHeaders);
    // The compatibility objects, built only for the paths that need them.
    let req = compatReq;
    let res = compatRes;
    if (this.admitStream !== undefined) {
      const overLimit = this.admitStream(stream, record.socket.remoteAddress, head.headers);
      if (overLimit !== undefined) {
        refuse(compatResponse(stream, res), 503, overLimit, ['retry-after', '5']);
        return;
      }
    }
    if (method === 'CONNECT') {
      req ??= new PagiHttp2Request(stream, headers, undefined, rawHeaders);
      res ??= new PagiHttp2Response(stream);
      if (head.protocol === 'websocket') {
        // RFC 8441 extended CONNECT: the stream becomes a WebSocket if the app accepts.
        watchLongLived(record.longLived, stream);
        this.handleWebSocket(prepareSessionRequest(req, record.socket, stream, head.headers), stream);
        return;
      }
      // A plain CONNECT asks for a tunnel, which this server does not offer (RFC 9113 §8.5); an
      // extended CONNECT for another protocol is refused the same way.
      refuse(
        res as unknown as ServerResponse,
        501,
        `CONNECT${head.protocol === undefined ? '' : ` for ${head.protocol}`} is not supported`,
      );
      return;
    }
    if (head.authority === undefined && head.headers.every((h) => h[0] !== 'host')) {
      refuse(compatResponse(stream, res), 400, 'expected an :authority or Host header');
      return;
    }
    if (head.size > options.http2MaxHeaderListSize) {
      // nghttp2 enforces the advertised limit (RST_STREAM ENHANCE_YOUR_CALM) only once the client
      // has acknowledged the server's SETTINGS; a request sent before that is held to it here.
      refuse(
        compatResponse(stream, res),
        431,
        `header list larger than ${options.http2MaxHeaderListSize} bytes`,
      );
      return;
    }
    if (head.headers.length > options.maxHeaderCount) {
      refuse(compatResponse(stream, res), 431, `more than ${options.maxHeaderCount} header fields`);
      return;
    }
    const contentLength = head.contentLength;
    if (contentLength !== undefined && !/^\d+$/.test(contentLength)) {
      refuse(compatResponse(stream, res), 400, 'malformed Content-Length');
      return;
    }
    if (
      contentLength !== undefined &&
      options.maxBodySize > 0 &&
      Number(contentLength) > options.maxBodySize
    ) {
      refuse(
        compatResponse(stream, res),
        413,
        `declared body of ${contentLength} bytes exceeds ${options.maxBodySize}`,
      );
      return;
    }
    if (head.accept !== undefined && method === 'GET' && acceptsEventStream(head.accept)) {
      req ??= new PagiHttp2Request(stream, headers, undefined, rawHeaders);
      const nodeRes = compatResponse(stream, res);
      watchLongLived(record.longLived, stream);
      try {
        this.handleSse(ctx, prepareSessionRequest(req, record.socket, stream, head.headers), nodeRes);
      } catch (error) {
        ctx.logger.error('the SSE handler threw', error);
        if (!nodeRes.headersSent) refuse(nodeRes, 500, 'internal error');
        else stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      }
      return;
    }
    const bodyless = stream.endAfterHeaders || contentLength === '0';
    const declared = contentLength === undefined ? -1 : Number(contentLength);
    const slot = new StreamSlot(record, stream);
    let exchange: HttpExchange;
    if (req !== undefined) {
      exchange = new HttpExchange(
        ctx,
        slot,
        req as unknown as IncomingMessage,
        res as unknown as ServerResponse,
        head.headers,
        bodyless,
        expectContinue,
        declared,
      );
    } else {
      const ioRes = new H2StreamResponse(stream, method === 'HEAD');
      slot.response = ioRes;
      exchange = new HttpExchange(
        ctx,
        slot,
        new H2StreamRequest(
          stream,
          method,
          headers[':path'] ?? '/',
          rawHeaders,
        ) as unknown as IncomingMessage,
        ioRes as unknown as ServerResponse,
        head.headers,
        bodyless,
        false,
        declared,
      );
    }
    slot.current = exchange;
    record.streams.add(slot);
    // Fires once; not once(), which wraps the listener in a closure (stream-listener.ts).
    listenQuietly(stream, 'close', slot.onStreamClose);
    if (bodyless) exchange.run();
    else process.nextTick(runExchange, exchange);
  }

  /**
   * Graceful stop: GOAWAY on every connection; streams already open run to their end. A
   * connection still undecided has no request in flight: it is closed now (else node's
   * `server.close()` would wait for it).
   */
  goAwayAll(): void {
    for (const socket of this.undecided) socket.destroy();
    this.undecided.clear();
    for (const record of this.sessions) if (!record.session.closed) record.session.close();
  }

  /** Exchanges still running on any connection. */
  get runningStreams(): number {
    let n = 0;
    for (const record of this.sessions) n += record.streams.size;
    return n;
  }

  /** Ends every running exchange with `reason` and destroys every connection. */
  cutAll(reason: 'server_shutdown'): void {
    for (const record of this.sessions) {
      for (const slot of record.streams) slot.current?.abort(reason);
      record.session.destroy();
    }
  }

  /** Resolves once every HTTP/2 connection has closed. */
  allGone(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return Promise.all([...this.sessions].map((record) => record.closed)).then(() => undefined);
  }
}

function noop(): void {}
