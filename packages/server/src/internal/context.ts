import type { AccessLogEntry, App } from '@pagi/spec';
import type { ResolvedServerOptions } from '../options.js';

/** The server's log, leveled. Messages name what was expected and what came. */
export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

/** One finished request or session, as the access log sees it: spec's one definition, shared with @pagi/middleware-access-log. */
export type { AccessLogEntry } from '@pagi/spec';

/**
 * A connection that outlives a request (WebSocket, SSE). On graceful stop the server calls
 * `shutdown()` on each: a WebSocket is closed with 1001, an SSE stream is ended.
 */
export interface LongLivedConnection {
  shutdown(): void;
}

/** What every protocol handler needs from the server that owns it. */
export interface ServerContext {
  readonly app: App;
  readonly options: ResolvedServerOptions;
  readonly logger: Logger;
  /** Lifespan state; copied shallowly into each scope. `undefined` before startup or when declined. */
  state: Record<string, unknown> | undefined;
  /** Trusted reverse proxies when `proxyHeaders` is on (src/net/proxy-headers.ts), else undefined. */
  readonly proxies?: import('../net/trusted-proxies.js').TrustedProxies | undefined;
  /** true once a graceful stop began: new long-lived connections are refused. */
  readonly stopping: boolean;
  /** Registers a long-lived connection for graceful stop; {@link untrack} it when it ends. */
  track(connection: LongLivedConnection): void;
  /** Forgets a connection given to {@link track} (no-op when unknown). */
  untrack(connection: LongLivedConnection): void;
  /** Writes one access-log line if the access log is on. */
  accessLog(entry: AccessLogEntry): void;
  /** Extensions to advertise on a scope of this type (fullflush, tls, websocket.http.response). */
  extensionsFor(
    type: 'http' | 'websocket' | 'sse',
    socket: import('node:net').Socket,
  ): Record<string, object>;
}
