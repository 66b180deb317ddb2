import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { App } from '@pagi/spec';
import { HttpHandlers } from '../http/request-handler.js';
import { refuse } from '../http/simple-response.js';
import { ServerContextImpl } from '../internal/server-context.js';
import { type LifespanHandle, startLifespan } from '../lifespan/run-lifespan.js';
import { type ResolvedServerOptions, resolveOptions, type ServerOptions } from '../options.js';
import { handleSse } from '../sse/index.js';
import { createWebSocketHandler, type WebSocketHandler } from '../websocket/index.js';

/**
 * The {@link ServerOptions} that apply per request, connection or session, so a listener mounted
 * in a server it does not own can honour them. Everything about the socket itself (bind address,
 * TLS, connection caps, keep-alive and header timeouts, slow-client deadlines, workers) belongs
 * to the host server and is configured there.
 */
export type NodeListenerOptions = Pick<
  ServerOptions,
  | 'rootPath'
  | 'maxHeaderCount'
  | 'maxBodySize'
  | 'requestTimeout'
  | 'shutdownTimeout'
  | 'writeHighWaterMark'
  | 'writeLowWaterMark'
  | 'lifespan'
  | 'lifespanStartupTimeout'
  | 'wsMaxMessageSize'
  | 'wsMaxQueue'
  | 'wsHandshakeTimeout'
  | 'wsPingInterval'
  | 'wsPingTimeout'
  | 'wsPerMessageDeflate'
  | 'wsMaxFragments'
  | 'wsIdleTimeout'
  | 'sseKeepaliveInterval'
  | 'sseIdleTimeout'
  | 'logLevel'
  | 'accessLog'
  | 'accessLogStream'
  | 'logStream'
  | 'fullflush'
  | 'validateEvents'
>;

const LISTENER_OPTIONS: ReadonlySet<string> = new Set<keyof NodeListenerOptions>([
  'rootPath',
  'maxHeaderCount',
  'maxBodySize',
  'requestTimeout',
  'shutdownTimeout',
  'writeHighWaterMark',
  'writeLowWaterMark',
  'lifespan',
  'lifespanStartupTimeout',
  'wsMaxMessageSize',
  'wsMaxQueue',
  'wsHandshakeTimeout',
  'wsPingInterval',
  'wsPingTimeout',
  'wsPerMessageDeflate',
  'wsMaxFragments',
  'wsIdleTimeout',
  'sseKeepaliveInterval',
  'sseIdleTimeout',
  'logLevel',
  'accessLog',
  'accessLogStream',
  'logStream',
  'fullflush',
  'validateEvents',
]);

/** `(req, res)` for `http.createServer(listener)`, `server.on('request', …)` or `expressApp.use(…)`. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
/** `(req, socket, head)` for `server.on('upgrade', …)`. */
export type NodeUpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * A PAGI app mounted in a node server it does not own. `listener` and `upgradeListener` share one
 * core (options, lifespan state, the WebSocket session table, graceful stop).
 */
export interface NodeAdapter {
  /** The request listener: HTTP requests and SSE streams (D-14 classification). */
  readonly listener: NodeRequestListener;
  /** The upgrade listener: WebSocket handshakes. */
  readonly upgradeListener: NodeUpgradeListener;
  /** The options in force (listener options resolved against the server defaults). */
  readonly options: ResolvedServerOptions;
  /**
   * Runs lifespan startup (per `options.lifespan`) and puts its state into every later scope.
   * Optional: without it the app never gets a lifespan scope. Rejects with `LifespanStartupError`.
   */
  startup(): Promise<void>;
  /**
   * Graceful stop of what this adapter runs: new requests get 503; WebSockets close with 1001 and
   * SSE streams end; running requests get `shutdownTimeout` ms, then are cut (`server_shutdown`);
   * then lifespan shutdown if `startup()` ran. The host server and its other routes are left alone.
   */
  close(): Promise<void>;
  /** Requests, SSE streams and WebSockets of this adapter that are running now. */
  readonly activeCount: number;
}

class NodeAdapterImpl implements NodeAdapter {
  readonly options: ResolvedServerOptions;
  private readonly ctx: ServerContextImpl;
  private readonly handlers: HttpHandlers;
  private readonly ws: WebSocketHandler;
  private lifespan: LifespanHandle | undefined;
  private closing: Promise<void> | undefined;

  constructor(app: App, options: NodeListenerOptions | undefined) {
    if (typeof app !== 'function')
      throw new TypeError(`toNodeListener: expected an app function, got ${typeof app}`);
    for (const key of Object.keys(options ?? {})) {
      if (!LISTENER_OPTIONS.has(key))
        throw new TypeError(
          `toNodeListener: option '${key}' belongs to the host server, not a listener (see "Mounting in an existing server" in the @pagi/server README)`,
        );
    }
    // Connection-level limits are the host's: no cap, no per-connection request count.
    this.options = resolveOptions({ ...options, maxConnections: 0, maxRequestsPerConnection: 0 });
    this.ctx = new ServerContextImpl(app, this.options);
    this.ws = createWebSocketHandler(this.ctx);
    this.handlers = new HttpHandlers(this.ctx, handleSse, () => this.ws.size);
  }

  readonly listener: NodeRequestListener = (req, res) => {
    if (this.closing !== undefined) {
      refuse(res, 503, 'the PAGI app is shutting down');
      return;
    }
    try {
      this.handlers.onRequest(req, res);
    } catch (error) {
      // A bug here must cost one request, never the host's process.
      this.ctx.logger.error('the PAGI request listener threw', error);
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    }
  };

  readonly upgradeListener: NodeUpgradeListener = (req, socket, head) => {
    // A keep-alive connection that served PAGI requests before its upgrade: the HTTP side lets go.
    this.handlers.releaseUpgraded(socket as Socket);
    try {
      this.ws.handleUpgrade(req, socket, head);
    } catch (error) {
      this.ctx.logger.error('the PAGI upgrade listener threw', error);
      socket.destroy();
    }
  };

  get activeCount(): number {
    let busy = 0;
    for (const slot of this.handlers.slots) if (slot.busy()) busy++;
    return busy + this.ws.size;
  }

  async startup(): Promise<void> {
    if (this.lifespan !== undefined) return;
    this.lifespan = await startLifespan(this.ctx.app, {
      mode: this.options.lifespan,
      startupTimeout: this.options.lifespanStartupTimeout,
      logger: this.ctx.logger,
      workerNum: this.options.workerNum,
    });
    this.ctx.state = this.lifespan.state;
  }

  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    this.ctx.stopping = true;
    this.ws.close();
    for (const connection of [...this.ctx.tracked]) {
      try {
        connection.shutdown();
      } catch (error) {
        this.ctx.logger.error('a long-lived connection failed to shut down', error);
      }
    }
    // Responses not started yet go out with `Connection: close`: the host keeps its other sockets.
    this.handlers.drainKeepAlive();
    const timeout = this.options.shutdownTimeout;
    const deadline = timeout > 0 ? performance.now() + timeout : Number.POSITIVE_INFINITY;
    // The host owns the sockets, so there is no 'close' of ours to wait on: look every 20 ms
    // (shutdown only, never per request).
    while (this.activeCount > 0 && performance.now() < deadline) await sleep(20);
    if (this.activeCount > 0) {
      this.ctx.logger.warn(
        `shutdown: ${this.activeCount} PAGI request(s) still running after ${timeout} ms; cutting them`,
      );
      // Only the requests of this adapter: the host's idle keep-alive sockets stay open.
      for (const slot of this.handlers.slots) slot.current?.abort('server_shutdown');
    }
    await this.lifespan?.shutdown(timeout);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/**
 * Mounts a PAGI app in a node server you already run (`node:http`, `node:https`, an Express or
 * Koa app's server). Same core as `createServer`: every per-request limit, the send validator,
 * the D-12 backstop, SSE and WebSocket.
 *
 * @example
 * const pagi = createNodeAdapter(app, { maxBodySize: 1_000_000 });
 * await pagi.startup();
 * const server = http.createServer(pagi.listener);
 * server.on('upgrade', pagi.upgradeListener);
 * server.listen(8000);
 * // later: await pagi.close(); server.close();
 */
export function createNodeAdapter(app: App, options?: NodeListenerOptions): NodeAdapter {
  return new NodeAdapterImpl(app, options);
}

/**
 * A `(req, res)` request listener running `app` (no lifespan; use {@link createNodeAdapter} for
 * that, for graceful stop, or to share state with an upgrade listener).
 *
 * @example
 * http.createServer(toNodeListener(app)).listen(8000);
 * expressApp.use('/pagi', toNodeListener(app, { rootPath: '/pagi' }));
 */
export function toNodeListener(app: App, options?: NodeListenerOptions): NodeRequestListener {
  return createNodeAdapter(app, options).listener;
}

/**
 * A `(req, socket, head)` upgrade listener running `app`'s WebSocket side.
 *
 * @example
 * server.on('upgrade', toNodeUpgradeListener(app));
 */
export function toNodeUpgradeListener(app: App, options?: NodeListenerOptions): NodeUpgradeListener {
  return createNodeAdapter(app, options).upgradeListener;
}
