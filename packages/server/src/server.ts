import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { App } from '@pagi/spec';
import { PagiIncomingMessage } from './http/pagi-request.js';
import { PagiServerResponse } from './http/pagi-response.js';
import { HttpHandlers } from './http/request-handler.js';
import { Http2Handlers } from './http2/http2-handler.js';
import { ServerContextImpl } from './internal/server-context.js';
import { startLifespan, type LifespanHandle } from './lifespan/run-lifespan.js';
import { type ResolvedServerOptions, resolveOptions, type ServerOptions } from './options.js';
import { handleSse } from './sse/index.js';
import { createWebSocketHandler, type WebSocketHandler } from './websocket/index.js';
import { writeTextResponse } from './websocket/raw-response.js';
import { addressUrl } from './listen/listener-set.js';
import { listenersOf, startListeners, stopAccepting, wantsListenerSet } from './listen/attach.js';
import { ConnectionGuard } from './net/connection-guard.js';

/**
 * A PAGI server over node:http. Create it with {@link createServer}, start it with `listen()`,
 * stop it with `close()`.
 *
 * @example
 * const server = createServer(app, { port: 0 });
 * await server.listen();
 * console.log(server.url);
 * await server.close();
 */
export class PagiServer {
  /** The node server the request handlers are bound to. */
  readonly httpServer: HttpServer;
  readonly options: ResolvedServerOptions;
  private readonly ctx: ServerContextImpl;
  private readonly handlers: HttpHandlers;
  /** HTTP/2 (`http2` option): sessions on the same listeners, routed by ALPN or the h2c preface. */
  private readonly h2: Http2Handlers | undefined;
  private readonly ws: WebSocketHandler;
  /** Per-address limit, TLS handshake counting, whole-request deadline, send timeout. */
  private readonly guard: ConnectionGuard;
  /** Sockets handed to the WebSocket layer: the graceful stop leaves them to its 1001 close. */
  private readonly upgraded = new WeakSet<object>();
  private lifespan: LifespanHandle | undefined;
  private listening = false;
  private closing: Promise<void> | undefined;
  private cut = 0;

  constructor(app: App, options?: ServerOptions) {
    if (typeof app !== 'function')
      throw new TypeError(`createServer: expected an app function, got ${typeof app}`);
    this.options = resolveOptions(options);
    this.ctx = new ServerContextImpl(app, this.options);
    this.ws = createWebSocketHandler(this.ctx);
    // A WebSocket leaves the HTTP connection table on upgrade and counts through its session;
    // a TLS connection counts from its TCP accept, its handshake included.
    this.h2 = this.options.http2
      ? new Http2Handlers(this.ctx, handleSse, (req, stream) => this.ws.handleExtendedConnect(req, stream))
      : undefined;
    this.handlers = new HttpHandlers(
      this.ctx,
      handleSse,
      () => this.ws.size + this.guard.handshaking + (this.h2?.sessions.size ?? 0),
    );
    this.guard = new ConnectionGuard(
      this.options,
      this.handlers.slots,
      () => this.handlers.slots.size + this.ws.size + (this.h2?.sessions.size ?? 0),
      this.ctx.proxies,
      this.ctx.logger,
    );
    if (this.ctx.proxies !== undefined && this.options.maxConnectionsPerAddress > 0) {
      this.handlers.admitRequest = (req, res, headers) => this.guard.admitRequest(req, res, headers);
      // HTTP/2: per stream, as one proxied connection carries many clients.
      if (this.h2 !== undefined)
        this.h2.admitStream = (stream, peer, headers) => this.guard.admitStream(stream, peer, headers);
    }
    this.httpServer = this.bind(
      createHttpServer({
        // Reports 'finish' to the exchange without a listener per request (http/pagi-response.ts).
        ServerResponse: PagiServerResponse,
        // Only WebSocket offers go to 'upgrade'; `Upgrade: h2c` & co. are plain requests (pagi-request.ts).
        IncomingMessage: PagiIncomingMessage,
        maxHeaderSize: this.options.maxHeaderSize,
        insecureHTTPParser: false,
        // Host is checked in request-line-checks.ts, so the 400 has the server's text/plain body.
        requireHostHeader: false,
        joinDuplicateHeaders: false,
        noDelay: true,
        keepAlive: false,
        // node's requestTimeout is a whole-request deadline; ours is a stall timer on body reads
        // (exchange.ts), so node's is off.
        requestTimeout: 0,
        headersTimeout: this.options.headersTimeout,
        keepAliveTimeout: this.options.keepAliveTimeout,
        connectionsCheckingInterval: checkInterval(this.options.headersTimeout),
      }),
    );
  }

  /**
   * Wires the shared handlers to a node server. Every listener (TCP now; Unix path, fd and
   * `https.createServer` later) goes through here, so they all behave the same.
   */
  private bind(server: HttpServer): HttpServer {
    const o = this.options;
    server.maxHeadersCount = o.maxHeaderCount + 1;
    // maxRequestsPerConnection is enforced per slot (request-handler.ts): node's own limit answers
    // pipelined extras with 503 instead of closing after the last allowed response.
    server.maxRequestsPerSocket = 0;
    // Admission runs before node:http attaches its parser, so a refused connection is answered
    // without its request being read (src/net/connection-guard.ts).
    const nodeListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
    server.removeAllListeners('connection');
    const http1 = (socket: Socket): void => {
      for (const listener of nodeListeners) listener.call(server, socket);
      this.handlers.onConnection(socket);
    };
    server.on('connection', (socket: Socket) => {
      if (!this.guard.admit(socket, false)) return;
      // --http2: an `h2` (ALPN) or h2c-preface connection goes to the HTTP/2 side instead.
      if (this.h2?.claim(socket, http1) === true) return;
      http1(socket);
    });
    server.on('request', this.handlers.onRequest);
    server.on('checkContinue', this.handlers.onCheckContinue);
    server.on('clientError', this.handlers.onClientError);
    server.on('connect', this.handlers.onConnect);
    server.on('upgrade', (req, socket, head) => {
      this.upgraded.add(socket);
      this.guard.trackUpgraded(socket as Socket);
      if (!this.handlers.releaseUpgraded(socket as Socket)) {
        // Accepted over maxConnections: refused like an HTTP request would be (503, Retry-After).
        socket.on('error', () => {});
        writeTextResponse(
          socket,
          503,
          `the server is at its connection limit (${this.options.maxConnections})\n`,
          [['retry-after', '5']],
        );
        return;
      }
      const overLimit = this.guard.admitUpgrade(req, socket as Socket);
      if (overLimit !== undefined) {
        socket.on('error', () => {});
        writeTextResponse(socket, 503, `${overLimit}\n`, [['retry-after', '5']]);
        return;
      }
      try {
        this.ws.handleUpgrade(req, socket, head);
      } catch (error) {
        this.ctx.logger.error('the WebSocket upgrade handler threw', error);
        socket.destroy();
      }
    });
    return server;
  }

  /** Runs lifespan startup, then binds `host:port`. Rejects with `LifespanStartupError` on startup failure. */
  async listen(): Promise<void> {
    if (this.listening) return;
    if (this.closing) throw new Error('listen: expected a server that was not closed, got one that was');
    this.lifespan = await startLifespan(this.ctx.app, {
      mode: this.options.lifespan,
      startupTimeout: this.options.lifespanStartupTimeout,
      logger: this.ctx.logger,
      workerNum: this.options.workerNum,
    });
    this.ctx.state = this.lifespan.state;
    // --listen, TLS and systemd descriptors go through the listener set (src/listen/attach.ts).
    if (wantsListenerSet(this.options)) await this.listenThroughSet();
    else
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        this.httpServer.once('error', onError);
        this.httpServer.listen(
          { host: this.options.host, port: this.options.port, backlog: this.options.backlog },
          () => {
            this.httpServer.off('error', onError);
            resolve();
          },
        );
      }).catch(async (error) => {
        await this.lifespan?.shutdown(this.options.shutdownTimeout);
        throw error;
      });
    this.listening = true;
    this.guard.start();
    this.ctx.logger.debug(`listening on ${this.url}`);
  }

  private async listenThroughSet(): Promise<void> {
    try {
      await startListeners(this.httpServer, this.options, this.ctx.logger, (socket, tls) =>
        this.guard.admit(socket, tls),
      );
    } catch (error) {
      await this.lifespan?.shutdown(this.options.shutdownTimeout);
      throw error;
    }
  }

  /** The bound port (the real one when `port: 0`). */
  get port(): number {
    const first = listenersOf(this.httpServer)?.addresses.find((a) => a.kind === 'tcp');
    if (first?.kind === 'tcp') return first.port;
    const address = this.httpServer.address();
    return address !== null && typeof address === 'object'
      ? (address as AddressInfo).port
      : this.options.port;
  }

  /** `http://host:port` of the bound socket. */
  get url(): string {
    const first = listenersOf(this.httpServer)?.addresses[0];
    if (first !== undefined) return addressUrl(first);
    const address = this.httpServer.address() as AddressInfo | null;
    const host = address?.address ?? this.options.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  /** Connections the graceful stop had to cut at `shutdownTimeout`; 0 after a clean stop (exit code 4 in the CLI). */
  get cutOnShutdown(): number {
    return this.cut;
  }

  /** Connections open right now (keep-alive, in flight, WebSocket and SSE). */
  get connectionCount(): number {
    return this.handlers.connectionCount;
  }

  /**
   * Graceful stop: stop accepting; close idle keep-alive connections now; let running requests
   * finish within `shutdownTimeout`, then cut them (`server_shutdown`); shut WebSocket and SSE
   * connections down; then lifespan shutdown. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    this.ctx.stopping = true;
    this.guard.stop();
    const closed = new Promise<void>((resolve) => {
      if (listenersOf(this.httpServer) !== undefined) void stopAccepting(this.httpServer).then(resolve);
      else if (!this.httpServer.listening) resolve();
      else this.httpServer.close(() => resolve());
    });
    // Long-lived connections first: a WebSocket gets its 1001 close frame and an SSE stream its
    // terminator before anything is torn down. An upgraded socket has no request in flight, so
    // the idle sweep below must skip it, or it would be cut before its close handshake.
    this.ws.close();
    for (const connection of [...this.ctx.tracked]) {
      try {
        connection.shutdown();
      } catch (error) {
        this.ctx.logger.error('a long-lived connection failed to shut down', error);
      }
    }
    this.h2?.goAwayAll();
    this.handlers.drainKeepAlive();
    for (const socket of this.handlers.idleSockets()) if (!this.upgraded.has(socket)) socket.destroySoon();
    const timeout = this.options.shutdownTimeout;
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => {
      if (timeout > 0)
        timer = setTimeout(() => {
          this.ctx.logger.warn(
            `shutdown: ${this.handlers.slots.size + (this.h2?.sessions.size ?? 0)} connection(s) still open after ${timeout} ms; cutting them`,
          );
          this.cut = this.handlers.slots.size + (this.h2?.sessions.size ?? 0);
          this.handlers.cutAll('server_shutdown');
          this.h2?.cutAll('server_shutdown');
          resolve();
        }, timeout);
    });
    await Promise.race([Promise.all([closed, this.allGone()]), cut]);
    if (timer !== undefined) clearTimeout(timer);
    // After a cut the sockets are destroyed; their 'close' events follow within a tick or two.
    await this.allGone();
    await closed;
    if (this.listening || this.lifespan !== undefined) await this.lifespan?.shutdown(timeout);
    this.listening = false;
  }

  /** Resolves when every connection has closed. */
  private allGone(): Promise<void> {
    if (this.h2 !== undefined && this.h2.sessions.size > 0) {
      return Promise.all([this.h2.allGone(), this.http1Gone()]).then(() => undefined);
    }
    return this.http1Gone();
  }

  private http1Gone(): Promise<void> {
    if (this.handlers.slots.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let left = this.handlers.slots.size;
      for (const slot of this.handlers.slots) {
        slot.socket.once('close', () => {
          left--;
          if (left === 0) resolve();
        });
      }
    });
  }
}

/** node checks headersTimeout on a timer; make it fine enough for small configured timeouts. */
function checkInterval(headersTimeout: number): number {
  if (headersTimeout <= 0) return 30_000;
  return Math.max(25, Math.min(1000, Math.floor(headersTimeout / 4)));
}

/**
 * Creates a PAGI server for `app`. Nothing happens until `listen()`.
 *
 * @example
 * import { createServer } from '@pagi/server';
 * const server = createServer(async (scope, receive, send) => {
 *   if (scope.type !== 'http') return;
 *   await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
 *   await send({ type: 'http.response.body', body: 'Hello, World!' });
 * }, { port: 8000 });
 * await server.listen();
 */
export function createServer(app: App, options?: ServerOptions): PagiServer {
  return new PagiServer(app, options);
}
