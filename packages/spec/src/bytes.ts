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
