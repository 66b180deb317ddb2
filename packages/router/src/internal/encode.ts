/**
 * Percent-encoding for URL building (RFC 3986 §3.3). A path segment keeps the unreserved
 * characters and the sub-delimiters plus `:` and `@` (all legal in a segment, and our matcher
 * never treats them specially); everything else becomes UTF-8 `%XX`. `/`, `?`, `#` and `%` are
 * always encoded, so a value cannot change the shape of the URL.
 */

const SEGMENT_SAFE = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@") {
  SEGMENT_SAFE[c.charCodeAt(0)] = 1;
}

const encoder = new TextEncoder();

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `String.prototype.isWellFormed` is ES2024; this package targets the ES2023 library. */
function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

function hex(byte: number): string {
  return `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
}

/**
 * Encodes one path segment. Returns `undefined` for a string with a lone surrogate (not
 * representable in UTF-8). `.` and `..` are encoded as `%2E` so that clients applying RFC 3986
 * §5.2.4 dot-segment removal leave them alone.
 */
export function encodeSegment(value: string): string | undefined {
  if (value === '.' || value === '..') return value.replaceAll('.', '%2E');
  if (!isWellFormed(value)) return undefined;
  let out = '';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 128 && SEGMENT_SAFE[c] === 1) continue;
    out += value.slice(start, i);
    // Take a whole surrogate pair at once so it encodes as one 4-byte UTF-8 sequence.
    const width = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    for (const byte of encoder.encode(value.slice(i, i + width))) out += hex(byte);
    i += width - 1;
    start = i + 1;
  }
  return out + value.slice(start);
}

/** `encodeURIComponent` semantics (space → `%20`) for query keys and values; `undefined` on a lone surrogate. */
export function encodeQueryComponent(value: string): string | undefined {
  return isWellFormed(value) ? encodeURIComponent(value) : undefined;
}
