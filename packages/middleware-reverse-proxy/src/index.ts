import {
  type ConnectionScope,
  type Middleware,
  PagiValidationError,
  parseTrustedProxies,
  trustedForwardedInfo,
} from '@pagi/spec';
import { defineMiddleware } from '@pagi/spec/middleware';

export interface ReverseProxyOptions {
  /**
   * Peers whose proxy headers are believed: IPv4/IPv6 addresses, CIDR ranges (`10.0.0.0/8`,
   * `fd00::/8`), `unix` (peers on a Unix socket) or `*` (every peer: only when nothing but your
   * proxy can reach the app). Default `['127.0.0.1', '::1']`.
   */
  trustedProxies?: readonly string[];
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['trustedProxies']);

/**
 * Sets `scope.client` and `scope.scheme` from a trusted reverse proxy's `Forwarded` (RFC 7239)
 * or `X-Forwarded-For` / `X-Forwarded-Proto`, for HTTP, SSE and WebSocket scopes alike. The
 * headers are read only when the peer (`scope.client`) is trusted; the client is the right-most
 * hop that is not a trusted proxy (never the spoofable left-most one). The parsing is
 * `@pagi/spec`'s, the same the server's `proxyHeaders` option uses. Other scopes pass untouched.
 *
 * @throws PagiValidationError for an unknown option or a bad `trustedProxies` entry.
 * @example
 * const app = compose(reverseProxy({ trustedProxies: ['10.0.0.0/8'] }))(router.app);
 */
export function reverseProxy(options: ReverseProxyOptions = {}): Middleware {
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`reverseProxy(): unknown option '${key}'`);
  }
  const trusted = parseTrustedProxies(
    options.trustedProxies ?? ['127.0.0.1', '::1'],
    'reverseProxy(): trustedProxies',
  );

  /** The scope as the proxy saw the request, or the same scope when nothing trusted says otherwise. */
  const rewrite = <S extends ConnectionScope>(scope: S, secureScheme: string, plainScheme: string): S => {
    const info = trustedForwardedInfo(trusted, scope.client, scope.headers);
    if (info === undefined) return scope;
    const client = info.client ?? scope.client;
    const scheme = info.secure === undefined ? scope.scheme : info.secure ? secureScheme : plainScheme;
    if (client === scope.client && scheme === scope.scheme) return scope;
    // Overwriting keys the scope already has keeps V8's fast spread path (see scopeKey).
    return { ...scope, client, scheme };
  };

  return defineMiddleware('reverseProxy', {
    http: (scope, receive, send, app) => app(rewrite(scope, 'https', 'http'), receive, send),
    sse: (scope, receive, send, app) => app(rewrite(scope, 'https', 'http'), receive, send),
    websocket: (scope, receive, send, app) => app(rewrite(scope, 'wss', 'ws'), receive, send),
  });
}
