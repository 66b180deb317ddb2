/**
 * A configured backend and the upstream request target built for it. The target's origin only
 * ever comes from configuration: the request contributes its path and query, nothing else.
 */
import { type ConnectionScope, decodePath, PagiValidationError } from '@pagi/spec';

export interface Backend {
  /** `http://host:port`, what undici connects to. */
  readonly origin: string;
  /** `ws://host:port` / `wss://…`, what the WebSocket client connects to. */
  readonly wsOrigin: string;
  /** The target's path without a trailing slash (`''` for none), prefixed to every request path. */
  readonly basePath: string;
  /** `host[:port]` of the target, the `Host` the backend gets in `'rewrite'` mode. */
  readonly host: string;
  /** The normalised URL, as `targets` entries are compared. */
  readonly href: string;
}

export function parseBackend(label: string, value: unknown): Backend {
  let url: URL;
  try {
    if (typeof value !== 'string') throw new TypeError('not a string');
    url = new URL(value);
  } catch {
    throw new PagiValidationError(
      `proxy(): expected ${label} to be an http(s) URL, got ${JSON.stringify(value)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PagiValidationError(
      `proxy(): expected ${label} to be an http: or https: URL, got ${url.protocol}`,
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new PagiValidationError(`proxy(): ${label} must not carry credentials, a query or a fragment`);
  }
  const basePath = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return {
    origin: url.origin,
    wsOrigin: `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`,
    basePath,
    host: url.host,
    href: url.href,
  };
}

/** true when `path` is `prefix` or continues it with `/` (so `/api` is not a prefix of `/apiary`). */
function under(path: string, prefix: string): boolean {
  return (
    path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 0x2f)
  );
}

/**
 * The path and query the backend is asked for: the request's raw path (exact bytes, D-8) below
 * the mount point (`root_path`), under the backend's base path. `undefined` for a request target
 * that is not origin-form (`http://evil/x` absolute-form, `*`): a reverse proxy never takes its
 * destination from the request (RFC 9112 §3.2).
 */
export function upstreamPath(scope: ConnectionScope, backend: Backend): string | undefined {
  const raw = scope.raw_path;
  if (raw !== undefined && raw.charCodeAt(0) !== 0x2f /* / */) return undefined;
  const root = scope.root_path.endsWith('/') ? scope.root_path.slice(0, -1) : scope.root_path;
  let path: string;
  if (raw === undefined) {
    path = encodeURI(root !== '' && under(scope.path, root) ? scope.path.slice(root.length) : scope.path);
  } else if (root === '' || decodePath(raw) !== scope.path) {
    // A server's own rootPath is not part of raw_path; a mount (url-map) leaves it in.
    path = raw;
  } else if (under(raw, root)) {
    path = raw.slice(root.length);
  } else {
    // The mount point is spelled percent-encoded on the wire: rebuild from the decoded path.
    path = encodeURI(scope.path.slice(root.length));
  }
  if (path.charCodeAt(0) !== 0x2f) path = `/${path}`;
  const query = scope.query_string;
  return query === '' ? backend.basePath + path : `${backend.basePath}${path}?${query}`;
}
