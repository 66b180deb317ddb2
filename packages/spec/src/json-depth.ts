/**
 * A nesting-depth pre-scan for JSON text, run before `JSON.parse`. V8 parses deep nesting
 * without a stack overflow, but a 1 MiB `[[[…]]]` still costs it hundreds of milliseconds of
 * event-loop time and half a million arrays; one pass over the bytes costs a few milliseconds
 * and stops at the first bracket over the limit.
 *
 * It runs on the UTF-8 bytes, before decoding: every structural character is ASCII, and every
 * byte of a multi-byte UTF-8 sequence is ≥ 0x80, so a byte that looks like `"` or `[` is one
 * (and indexing a Uint8Array is several times faster than `charCodeAt` on a string).
 *
 * The scan only counts: it does not validate. Brackets inside strings are skipped, with `\"`
 * and `\\` escapes honoured (RFC 8259 §7), so a string can never raise or lower the count;
 * malformed text is left for `JSON.parse` to reject. An unmatched closing bracket lowers the
 * count, which is harmless: `JSON.parse` fails at that bracket, before it reaches what follows.
 */

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }

/**
 * The deepest nesting of arrays and objects in the JSON text `bytes` (`0` for a scalar, `1` for
 * `[]`), or the first depth above `stopAbove` as soon as it is reached, without scanning the rest.
 *
 * @example
 * jsonDepth(Buffer.from('{"a":[1,"]]"]}')) // 2
 * jsonDepth(Buffer.from('[[[['), 2) // 3
 */
export function jsonDepth(bytes: Uint8Array, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      // Skip to the closing quote; a backslash always escapes exactly the next byte
      // (`\uXXXX` continues with hex digits, which are never quotes).
      for (i++; i < n; i++) {
        const s = bytes[i];
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return max;
}

/**
 * true when the JSON text `bytes` nests arrays and objects deeper than `maxDepth`; stops scanning
 * at the first bracket over the limit. The check `@pagi/helpers`' `json()` and
 * `@pagi/middleware-json-body` run before `JSON.parse`.
 *
 * @example
 * jsonDepthExceeds(Buffer.from('[[1]]'), 1) // true
 */
export function jsonDepthExceeds(bytes: Uint8Array, maxDepth: number): boolean {
  return jsonDepth(bytes, maxDepth) > maxDepth;
}
