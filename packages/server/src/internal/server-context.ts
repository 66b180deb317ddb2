import type { Socket } from 'node:net';
import type { App } from '@pagi/spec';
import { isTlsSocket } from '../listen/attach.js';
import { formatAccessLog } from '../log/access-log.js';
import { createLogger } from '../log/logger.js';
import { parseTrustedProxies, type TrustedProxies } from '../net/trusted-proxies.js';
import type { ResolvedServerOptions } from '../options.js';
import { tlsInfoOf } from '../tls/tls-info.js';
import type { AccessLogEntry, LongLivedConnection, ServerContext } from './context.js';

const HTTP_EXTENSIONS = Object.freeze({ fullflush: Object.freeze({}) });
const NO_EXTENSIONS = Object.freeze({});
const WS_EXTENSIONS = Object.freeze({ 'websocket.http.response': Object.freeze({}) });

/**
 * The {@link ServerContext} every protocol handler runs against: the app, the resolved options,
 * the logger and access log, lifespan state and the long-lived connections to stop. Shared by
 * the server (server.ts) and the listeners mounted in a foreign node server (listener/).
 */
export class ServerContextImpl implements ServerContext {
  readonly app: App;
  readonly options: ResolvedServerOptions;
  readonly logger: ReturnType<typeof createLogger>;
  state: Record<string, unknown> | undefined;
  stopping = false;
  readonly tracked = new Set<LongLivedConnection>();
  readonly proxies: TrustedProxies | undefined;

  constructor(app: App, options: ResolvedServerOptions) {
    this.app = app;
    this.options = options;
    this.proxies = options.proxyHeaders ? parseTrustedProxies(options.forwardedAllowIps) : undefined;
    this.logger = createLogger(options.logLevel, options.logStream);
  }

  track(connection: LongLivedConnection): void {
    this.tracked.add(connection);
  }

  untrack(connection: LongLivedConnection): void {
    this.tracked.delete(connection);
  }

  accessLog(entry: AccessLogEntry): void {
    const line = formatAccessLog(this.options.accessLog, entry, new Date());
    if (line === undefined) return;
    try {
      this.options.accessLogStream.write(`${line}\n`);
    } catch {
      // The access log is best effort; a broken stream must not break requests.
    }
  }

  extensionsFor(type: 'http' | 'websocket' | 'sse', _socket: Socket): Record<string, object> {
    // protocol.md §6.3: `tls` only on TLS connections, absent on cleartext ones.
    if (isTlsSocket(_socket)) return { ...this.cleartextExtensions(type, _socket), tls: tlsInfoOf(_socket) };
    return this.cleartextExtensions(type, _socket);
  }

  private cleartextExtensions(type: 'http' | 'websocket' | 'sse', _socket: Socket): Record<string, object> {
    if (type === 'http') return this.options.fullflush ? HTTP_EXTENSIONS : NO_EXTENSIONS;
    if (type === 'websocket') return WS_EXTENSIONS;
    return NO_EXTENSIONS;
  }
}
