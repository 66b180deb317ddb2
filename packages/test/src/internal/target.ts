import type { QueryInit } from '../options.js';

const HEX = '0123456789ABCDEF';

/**
 * Percent-encodes what cannot appear raw in a request target: controls, space, non-ASCII (as
 * UTF-8 bytes) and a few delimiters. An existing `%XX` is kept, so pre-encoded paths pass through.
 */
export function encodeTargetPart(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte <= 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x23 || byte === 0x3c || byte === 0x3e) {
      out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
    } else {
      out += String.fromCharCode(byte);
    }
  }
  return out;
}

/** Encodes a query record the way HTML forms do; a string is taken as already encoded. */
export function encodeQuery(query: QueryInit | undefined): string {
  if (query === undefined) return '';
  if (typeof query === 'string') return encodeTargetPart(query.startsWith('?') ? query.slice(1) : query);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  return params.toString();
}

/**
 * Splits `path` (which may carry its own `?query`) into the `raw_path` and `query_string` the server
 * would see, prefixing `rootPath` (protocol.md §3.6: `path` includes `root_path`) and appending
 * `query` after any query already in the path.
 */
export function buildTarget(
  rootPath: string,
  path: string,
  query: QueryInit | undefined,
): { raw_path: string; query_string: string } {
  const q = path.indexOf('?');
  const pathPart = q === -1 ? path : path.slice(0, q);
  const inline = q === -1 ? '' : encodeTargetPart(path.slice(q + 1));
  const extra = encodeQuery(query);
  let rawPath = encodeTargetPart(pathPart);
  if (!rawPath.startsWith('/')) rawPath = `/${rawPath}`;
  const root = encodeTargetPart(rootPath);
  if (root !== '' && rawPath !== root && !rawPath.startsWith(`${root}/`)) rawPath = root + rawPath;
  const queryString = inline && extra ? `${inline}&${extra}` : inline || extra;
  return { raw_path: rawPath, query_string: queryString };
}
