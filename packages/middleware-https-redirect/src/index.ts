import { checkHeader, type HeaderList, type Middleware, PagiValidationError } from '@pagi/spec';
import {
  appendHeader,
  defineMiddleware,
  editHeaders,
  getHeader,
  hasHeader,
  respond,
} from '@pagi/spec/middleware';
import { encodeUnsafe, hostName } from './host.js';

export interface HttpsRedirectOptions {
  /**
   * Host names a redirect may go to (lowercase compare, port ignored). A request whose `Host` is
   * not listed gets 400 instead of a redirect to a name an attacker chose. Default: any
   * well-formed host name — only safe when the server or a proxy already checks `Host`.
   */
  hosts?: readonly string[];
  /** The https port to redirect to; `443` is left out of the URL. Default `443`. */
  port?: number;
  /** `301`, `302`, `307` or `308`. Default `308` (permanent, and keeps the method and body, unlike 301). */
  status?: 301 | 302 | 307 | 308;
  /** Paths served over plain http too (a health check): exact strings or RegExps on `path`. Default none. */
  exclude?: readonly (string | RegExp)[];
  /**
   * `Strict-Transport-Security` added to responses on https/wss (HTTP, `sse.start`,
   * `websocket.accept`) unless the app set it; `false` for none. Default `false`.
   */
  hsts?: string | false;
  /**
   * A plain `ws://` WebSocket cannot be redirected (browsers do not follow redirects for it):
   * `'refuse'` answers 403 (the denial response, or a close before accept); `'allow'` lets it
   * through. Default `'refuse'`.
   */
  websocket?: 'refuse' | 'allow';
}

const KNOWN: ReadonlySet<string> = new Set(['hosts', 'port', 'status', 'exclude', 'hsts', 'websocket']);
const STATUSES: ReadonlySet<number> = new Set([301, 302, 307, 308]);

/**
 * Sends plain-http requests to https: HTTP and SSE get a redirect to `https://<host><path>?<query>`
 * (raw path and query kept, the host taken from `Host` only when it is well-formed and, with
 * `hosts`, listed: no open redirect through a spoofed `Host`); a plain `ws://` WebSocket is refused
 * with 403. Requests on https/wss pass on, with `hsts` added when set. Decides from
 * `scope.scheme`: behind a TLS-terminating proxy, put a proxy-headers middleware first.
 *
 * @throws PagiValidationError for an unknown option or a bad value, when called.
 * @example
 * const app = compose(httpsRedirect({ hosts: ['example.com', 'www.example.com'], hsts: 'max-age=31536000' }))(router.app);
 */
export function httpsRedirect(options: HttpsRedirectOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`httpsRedirect(): unknown option '${key}'`);
  }
  let hosts: ReadonlySet<string> | undefined;
  if (options.hosts !== undefined) {
    if (!Array.isArray(options.hosts) || options.hosts.length === 0) {
      throw new PagiValidationError('httpsRedirect(): expected hosts to be a non-empty list of host names');
    }
    hosts = new Set(
      options.hosts.map((h) => {
        const name = typeof h === 'string' ? hostName(h) : undefined;
        if (name === undefined || h.includes(':') !== h.startsWith('[')) {
          throw new PagiValidationError(
            `httpsRedirect(): expected each of hosts to be a host name without port, got ${JSON.stringify(h)}`,
          );
        }
        return name;
      }),
    );
  }
  const port = options.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new PagiValidationError(
      `httpsRedirect(): expected port to be an integer from 1 to 65535, got ${String(port)}`,
    );
  }
  const portPart = port === 443 ? '' : `:${port}`;
  const status = options.status ?? 308;
  if (!STATUSES.has(status)) {
    throw new PagiValidationError(
      `httpsRedirect(): expected status to be 301, 302, 307 or 308, got ${String(status)}`,
    );
  }
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const rule of options.exclude ?? []) {
    if (typeof rule === 'string') exact.add(rule);
    else if (rule instanceof RegExp) patterns.push(new RegExp(rule.source, rule.flags.replace(/[gy]/g, '')));
    else
      throw new PagiValidationError(
        `httpsRedirect(): expected exclude entries to be strings or RegExps, got ${typeof rule}`,
      );
  }
  const excluded = (path: string) => exact.has(path) || patterns.some((re) => re.test(path));
  const hsts = options.hsts === undefined || options.hsts === false ? undefined : options.hsts;
  if (hsts !== undefined) checkHeader('strict-transport-security', hsts);
  const ws = options.websocket ?? 'refuse';
  if (ws !== 'refuse' && ws !== 'allow') {
    throw new PagiValidationError(
      `httpsRedirect(): expected websocket to be 'refuse' or 'allow', got ${JSON.stringify(ws)}`,
    );
  }
  const addHsts =
    hsts === undefined
      ? undefined
      : (headers: HeaderList) =>
          hasHeader(headers, 'strict-transport-security')
            ? undefined
            : appendHeader(headers, 'strict-transport-security', hsts);

  /** The https URL for a plain request, or `undefined` when its `Host` may not be redirected to. */
  const target = (scope: { headers: HeaderList; raw_path?: string; path: string; query_string: string }) => {
    const name = hostName(getHeader(scope.headers, 'host'));
    if (name === undefined || (hosts !== undefined && !hosts.has(name))) return undefined;
    const path = scope.raw_path !== undefined ? encodeUnsafe(scope.raw_path) : encodeURI(scope.path);
    const query = scope.query_string === '' ? '' : `?${encodeUnsafe(scope.query_string)}`;
    return `https://${name}${portPart}${path}${query}`;
  };
  const badHost = 'Bad Request: the Host header is missing, malformed or not served here';

  return defineMiddleware('httpsRedirect', {
    http: (scope, receive, send, app) => {
      if (scope.scheme === 'https') return app(scope, receive, addHsts ? editHeaders(send, addHsts) : send);
      if (excluded(scope.path)) return app(scope, receive, send);
      const location = target(scope);
      if (location === undefined) return respond(scope, send, 400, { body: badHost });
      return respond(scope, send, status, { headers: { location }, body: `Redirecting to ${location}` });
    },
    sse: (scope, receive, send, app) => {
      if (scope.scheme === 'https') return app(scope, receive, addHsts ? editHeaders(send, addHsts) : send);
      if (excluded(scope.path)) return app(scope, receive, send);
      const location = target(scope);
      if (location === undefined) return respond(scope, send, 400, { body: badHost });
      return respond(scope, send, status, { headers: { location }, body: `Redirecting to ${location}` });
    },
    websocket: (scope, receive, send, app) => {
      if (scope.scheme === 'wss') return app(scope, receive, addHsts ? editHeaders(send, addHsts) : send);
      if (ws === 'allow' || excluded(scope.path)) return app(scope, receive, send);
      return respond(scope, send, 403, { body: 'Forbidden: use wss://' });
    },
  });
}
