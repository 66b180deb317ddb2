import type { ConnectionScopeBase, HeaderList } from '@pagi/spec';
import { cachedOrigin } from './fetch-url.js';

/**
 * The request target as the wrapped app must see it: `raw_path` with the mount prefix
 * (`root_path`) removed, plus `?query_string`. `root_path` is decoded while `raw_path` is not,
 * so the prefix is removed by counting its `/` segments rather than comparing strings: `/a%20b`
 * mounted at `/a b` still loses exactly one segment.
 */
export function relativeTarget(scope: ConnectionScopeBase): string {
  let raw = scope.raw_path ?? encodeURI(scope.path);
  const root = scope.root_path;
  if (root !== '' && root !== '/') raw = stripSegments(raw, countSegments(root));
  if (raw === '' || raw[0] !== '/') raw = `/${raw}`;
  return scope.query_string === '' ? raw : `${raw}?${scope.query_string}`;
}

/** The full target (`raw_path` + query), what Express calls `originalUrl`. */
export function fullTarget(scope: ConnectionScopeBase): string {
  const raw = scope.raw_path ?? encodeURI(scope.path);
  return scope.query_string === '' ? raw : `${raw}?${scope.query_string}`;
}

function countSegments(root: string): number {
  let n = 0;
  for (let i = 0; i < root.length; i++) if (root.charCodeAt(i) === 0x2f) n++;
  // '/api/' (trailing slash) mounts the same segments as '/api'.
  return root.endsWith('/') ? n - 1 : n;
}

function stripSegments(raw: string, segments: number): string {
  let i = 0;
  for (let seen = 0; seen < segments; seen++) {
    const next = raw.indexOf('/', i + 1);
    if (next === -1) return '';
    i = next;
  }
  return raw.slice(i);
}

/**
 * The last origin built, by scheme and host: a server answers mostly one host, and comparing two
 * short strings is cheaper than concatenating three per request (the URL is built on every one).
 */
let memoScheme = '';
let memoHost = '';
let memoOrigin: string | undefined = '';

/**
 * `scheme://host` of a scope (the `host` header, else `server`, else `localhost`) as the URL
 * parser serialises it, or undefined when the host is not one (fetch-url.ts, `cachedOrigin`).
 */
export function originOf(scope: ConnectionScopeBase, headers: HeaderList): string | undefined {
  let host: string | undefined;
  for (const [name, value] of headers) {
    if (name === 'host') {
      host = value;
      break;
    }
  }
  if (host === undefined) {
    const server = scope.server;
    host = server !== undefined && server[1] !== null ? `${server[0]}:${server[1]}` : 'localhost';
  }
  const scheme = scope.scheme === 'wss' ? 'https' : scope.scheme === 'ws' ? 'http' : scope.scheme;
  if (host === memoHost && scheme === memoScheme) return memoOrigin;
  memoScheme = scheme;
  memoHost = host;
  memoOrigin = cachedOrigin(`${scheme}://${host}`);
  return memoOrigin;
}
