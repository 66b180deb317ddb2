import type { ByteString } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Turns a raw path (a byte string, as it came off the wire) into `scope.path`: percent-decode to
 * bytes, then UTF-8-decode; bytes that are not valid UTF-8 are kept one character per byte
 * (latin1), which is lossless (D-8). A `%` not followed by two hex digits stays as it is, and `+`
 * is not a space in a path. Unlike `decodeURIComponent`, this never throws.
 *
 * @example
 * decodePath('/caf%C3%A9') // '/café'
 * decodePath('/%FF')       // '/\u00ff'
 */
export function decodePath(rawPath: ByteString): string {
  let plain = true;
  for (let i = 0; i < rawPath.length; i++) {
    const c = rawPath.charCodeAt(i);
    if (c === 0x25 || c > 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return rawPath;
  const bytes = new Uint8Array(rawPath.length);
  let n = 0;
  let ascii = true;
  for (let i = 0; i < rawPath.length; i++) {
    let c = rawPath.charCodeAt(i) & 0xff;
    if (c === 0x25 && i + 2 < rawPath.length) {
      const hi = hexValue(rawPath.charCodeAt(i + 1));
      const lo = hexValue(rawPath.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        c = (hi << 4) | lo;
        i += 2;
      }
    }
    if (c > 0x7f) ascii = false;
    bytes[n++] = c;
  }
  const view = bytes.subarray(0, n);
  if (ascii) return Buffer.from(view).toString('latin1');
  try {
    return utf8.decode(view);
  } catch {
    return Buffer.from(view).toString('latin1');
  }
}

/** Splits a request target into `raw_path` and `query_string` (both byte strings, query without `?`). */
export function splitTarget(target: ByteString): { raw_path: ByteString; query_string: ByteString } {
  const q = target.indexOf('?');
  if (q === -1) return { raw_path: target, query_string: '' };
  return { raw_path: target.slice(0, q), query_string: target.slice(q + 1) };
}
