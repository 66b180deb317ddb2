import type { BodyInput } from './types.js';

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * Turns an outbound payload into bytes (D-1): a string becomes its UTF-8 encoding, `undefined`
 * an empty array, and bytes come back as they are (the same object, not a copy), so a
 * middleware that inspects a body pays nothing for bodies that are already bytes.
 *
 * The empty array for `undefined` is shared; never write into it.
 *
 * @example
 * toBytes('héllo').length // 6
 * toBytes(undefined).length // 0
 */
export function toBytes(body: BodyInput | undefined): Uint8Array {
  if (body === undefined) return EMPTY;
  if (typeof body === 'string') return body.length === 0 ? EMPTY : encoder.encode(body);
  return body;
}

/**
 * The bytes of `parts` in one array of `size` bytes (their total); a single part comes back as
 * it is, not copied.
 *
 * @example
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])], 3) // Uint8Array [1, 2, 3]
 */
export function concatBytes(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
