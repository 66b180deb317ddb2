import { PROCESS_DEFAULTS, type ProcessOptions, validateProcessOptions } from './cluster/process-options.js';
import { LISTEN_DEFAULTS, type ListenOptions, validateListenOptions } from './listen/listen-options.js';
import { TLS_DEFAULTS, type TlsOptions, tlsSettingsOf } from './tls/tls-options.js';
import { GUARD_DEFAULTS, type GuardOptions, validateGuardOptions } from './net/guard-options.js';
import { RELOAD_DEFAULTS, type ReloadOptions, validateReloadOptions } from './cluster/reload-options.js';
import { HTTP2_DEFAULTS, type Http2Options, validateHttp2Options } from './http2/http2-options.js';

/**
 * Every server option with its default. The CLI, the single-process server and each worker read
 * the same resolved object, so no setting can silently fall back to a default in one place only
 * (server-parity.md §2.3 ⚠: the upstream workers lost half their settings).
 */

export type AccessLogFormat = 'combined' | 'common' | 'json' | 'off';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LifespanMode = 'auto' | 'on' | 'off';

export interface ServerOptions extends ProcessOptions, ListenOptions, TlsOptions, GuardOptions, Http2Options {
  /** Bind address. Default `127.0.0.1` (loopback only). */
  host?: string;
  /** TCP port; 0 picks a free port. Default 8000. */
  port?: number;
  /** `scope.root_path` for every request. Default `''`. */
  rootPath?: string;
  /** Listen backlog. Default 2048. */
  backlog?: number;

  // --- limits ---------------------------------------------------------------------------------
  /** Request line + header section, bytes (431 above). Default 16384 (Node's default). */
  maxHeaderSize?: number;
  /** Header fields per request (431 above). Default 100. */
  maxHeaderCount?: number;
  /** Request body bytes (413 above; 0 = unlimited). Default 10_000_000. */
  maxBodySize?: number;
  /**
   * Open connections per process, TLS handshakes in progress included (503 + Retry-After above;
   * 0 = unlimited). Default 10_000 (see GuardOptions and the README for why).
   */
  maxConnections?: number;
  /** Requests served on one keep-alive connection before it is closed; 0 = unlimited. Default 0. */
  maxRequestsPerConnection?: number;

  // --- timeouts (milliseconds; 0 disables) ---------------------------------------------------
  /** Time allowed to receive the request line and headers (408 after; slowloris). Default 30_000. */
  headersTimeout?: number;
  /** Time allowed between two reads of a request body before `client_timeout`. Default 60_000. */
  requestTimeout?: number;
  /** Idle time between keep-alive requests before the connection is closed. Default 5_000. */
  keepAliveTimeout?: number;
  /** Graceful stop: how long in-flight requests may take before they are cut. Default 30_000. */
  shutdownTimeout?: number;

  // --- flow control ---------------------------------------------------------------------------
  /** `await send()` waits once this many bytes are queued on the socket. Default 65536. */
  writeHighWaterMark?: number;
  /** Backpressure is released when the queue falls to this many bytes. Default 16384. */
  writeLowWaterMark?: number;

  // --- lifespan -------------------------------------------------------------------------------
  /** `auto`: a decline is fine; `on`: a decline is fatal; `off`: never call lifespan. Default auto. */
  lifespan?: LifespanMode;
  /** Startup must signal within this many ms (0 = wait forever). Default 30_000. */
  lifespanStartupTimeout?: number;

  // --- WebSocket ------------------------------------------------------------------------------
  /** Largest inbound message in bytes (close 1009 above). Default 16 MiB. */
  wsMaxMessageSize?: number;
  /** Inbound messages queued for an app that is not receiving (close 1008 above). Default 1000. */
  wsMaxQueue?: number;
  /** Time the app has to accept or deny after `websocket.connect`. Default 10_000. */
  wsHandshakeTimeout?: number;
  /** Server-wide ping interval in ms (0 = off; apps may set their own). Default 0. */
  wsPingInterval?: number;
  /** Pong deadline after a ping in ms (0 = no liveness check). Default 0. */
  wsPingTimeout?: number;
  /** RFC 7692 compression; off by default (memory and CPU cost, CRIME-style leaks). */
  wsPerMessageDeflate?: boolean;
  /** Frames one inbound message may arrive in (close 1008 above; 0 = unlimited). Default 16384. */
  wsMaxFragments?: number;
  /** Close a WebSocket with no frame in or out for this long, 1001 `idle_timeout` (0 = off). Default 0. */
  wsIdleTimeout?: number;

  // --- SSE --------------------------------------------------------------------------------------
  /** Default keepalive comment interval for SSE streams in ms (0 = only what the app asks). Default 0. */
  sseKeepaliveInterval?: number;
  /** End an SSE stream the app sent no event or comment on for this long, `idle_timeout` (0 = off). Default 0. */
  sseIdleTimeout?: number;

  // --- logging --------------------------------------------------------------------------------
  /** Server log level. Default `info`. */
  logLevel?: LogLevel;
  /** Access log format written to `accessLogStream`. Default `off` for the API, `common` for the CLI. */
  accessLog?: AccessLogFormat;
  /** Where the access log goes. Default `process.stderr`. */
  accessLogStream?: NodeJS.WritableStream;
  /** Where server log lines go. Default `process.stderr`. */
  logStream?: NodeJS.WritableStream;

  // --- extensions -----------------------------------------------------------------------------
  /** Advertise `fullflush` on http scopes. Default true. */
  fullflush?: boolean;
  /** Validate every outbound event field-by-field (state machine and header safety always run). Default true. */
  validateEvents?: boolean;

  // --- development: --reload (src/cluster/reload-options.ts) ----------------------------------
  /** Restart the workers gracefully when the app's files change. Default false. */
  reload?: ReloadOptions['reload'];
  /** Directories watched by `reload`. Default: the app module's directory (CLI) or the cwd. */
  reloadDir?: ReloadOptions['reloadDir'];
  /** Extra file-name globs that trigger a reload. Default []. */
  reloadInclude?: ReloadOptions['reloadInclude'];
  /** Extra globs of names never watched. Default []. */
  reloadExclude?: ReloadOptions['reloadExclude'];
}

export type ResolvedServerOptions = Required<Omit<ServerOptions, 'accessLogStream' | 'logStream'>> & {
  accessLogStream: NodeJS.WritableStream;
  logStream: NodeJS.WritableStream;
};

export const DEFAULT_OPTIONS: Omit<ResolvedServerOptions, 'accessLogStream' | 'logStream'> = {
  host: '127.0.0.1',
  port: 8000,
  rootPath: '',
  backlog: 2048,
  maxHeaderSize: 16384,
  maxHeaderCount: 100,
  maxBodySize: 10_000_000,
  maxConnections: 10_000,
  maxRequestsPerConnection: 0,
  headersTimeout: 30_000,
  requestTimeout: 60_000,
  keepAliveTimeout: 5_000,
  shutdownTimeout: 30_000,
  writeHighWaterMark: 65536,
  writeLowWaterMark: 16384,
  lifespan: 'auto',
  lifespanStartupTimeout: 30_000,
  wsMaxMessageSize: 16 * 1024 * 1024,
  wsMaxQueue: 1000,
  wsHandshakeTimeout: 10_000,
  wsPingInterval: 0,
  wsPingTimeout: 0,
  wsPerMessageDeflate: false,
  wsMaxFragments: 16384,
  wsIdleTimeout: 0,
  sseKeepaliveInterval: 0,
  sseIdleTimeout: 0,
  logLevel: 'info',
  accessLog: 'off',
  fullflush: true,
  validateEvents: true,
  ...RELOAD_DEFAULTS,
  ...PROCESS_DEFAULTS,
  ...LISTEN_DEFAULTS,
  ...TLS_DEFAULTS,
  ...GUARD_DEFAULTS,
  ...HTTP2_DEFAULTS,
};

/** Fills in defaults and rejects nonsense with a message naming the option and what was expected. */
export function resolveOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const resolved = {
    ...DEFAULT_OPTIONS,
    accessLogStream: process.stderr,
    logStream: process.stderr,
  } as ResolvedServerOptions;
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  for (const [key, def] of Object.entries(DEFAULT_OPTIONS)) {
    const value = (resolved as Record<string, unknown>)[key];
    if (typeof def === 'number' && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new TypeError(
        `server option '${key}' must be a non-negative number, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (resolved.writeLowWaterMark > resolved.writeHighWaterMark) {
    throw new TypeError(
      `server option 'writeLowWaterMark' (${resolved.writeLowWaterMark}) must not exceed 'writeHighWaterMark' (${resolved.writeHighWaterMark})`,
    );
  }
  if (!['auto', 'on', 'off'].includes(resolved.lifespan)) {
    throw new TypeError(
      `server option 'lifespan' must be 'auto', 'on' or 'off', got ${JSON.stringify(resolved.lifespan)}`,
    );
  }
  if (!['combined', 'common', 'json', 'off'].includes(resolved.accessLog)) {
    throw new TypeError(
      `server option 'accessLog' must be 'combined', 'common', 'json' or 'off', got ${JSON.stringify(resolved.accessLog)}`,
    );
  }
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(resolved.logLevel)) {
    throw new TypeError(
      `server option 'logLevel' must be debug, info, warn, error or silent, got ${JSON.stringify(resolved.logLevel)}`,
    );
  }
  validateProcessOptions(resolved);
  validateListenOptions(resolved);
  tlsSettingsOf(resolved);
  validateGuardOptions(resolved);
  validateReloadOptions(resolved);
  validateHttp2Options(resolved);
  return resolved;
}
