/**
 * Which part of the request path a router matches. `path` and `raw_path` include `root_path`
 * (protocol.md §3.6), so a router mounted at `/api` must skip that prefix. It is skipped on the
 * **raw** path, one raw segment per segment of `root_path`, so `%2F` inside a later segment can
 * never be confused with a separator.
 */
import { decodePath } from '@pagi/spec';
import { encodeSegment } from './encode.js';

/** The raw path of a scope; servers normally send `raw_path`, this rebuilds it from `path` if not. */
export function rawPathOf(scope: { raw_path?: string; path: string }): string {
  const raw = scope.raw_path;
  if (typeof raw === 'string' && raw !== '') return raw;
  return scope.path
    .split('/')
    .map((s) => encodeSegment(s) ?? s)
    .join('/');
}

/**
 * The raw path relative to `rootPath` (always starting with `/`). When the raw path does not
 * start with the root (a server that left `root_path` out of `path`), the whole raw path is used.
 *
 * @example
 * relativeRawPath('/api/users/a%2Fb', '/api') // '/users/a%2Fb'
 */
export function relativeRawPath(raw: string, rootPath: string): string {
  // The common case (a router served at the root): nothing to strip.
  if (rootPath === '') return raw === '' ? '/' : raw;
  let root = rootPath;
  while (root.endsWith('/')) root = root.slice(0, -1);
  if (root === '') return raw === '' ? '/' : raw;
  // Fast path: as many raw segments as the root has segments (no encoded `/` in the root).
  let count = 0;
  for (let i = 0; i < root.length; i++) if (root.charCodeAt(i) === 0x2f) count++;
  let pos = 0;
  for (let k = 0; k < count && pos !== -1; k++) pos = raw.indexOf('/', pos + 1);
  const end = pos === -1 ? raw.length : pos;
  if (decodePath(raw.slice(0, end)) === root) return raw.slice(end) || '/';
  // Slow path: the root had a `%2F` in one segment; look for any boundary that decodes to it.
  for (let j = raw.indexOf('/', 1); ; j = raw.indexOf('/', j + 1)) {
    const cut = j === -1 ? raw.length : j;
    if (decodePath(raw.slice(0, cut)) === root) return raw.slice(cut) || '/';
    if (j === -1) return raw;
  }
}
