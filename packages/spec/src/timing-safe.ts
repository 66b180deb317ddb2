/**
 * Constant-time comparison of secrets (passwords, tokens, CSRF values). One definition for every
 * middleware that checks a credential.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string | Uint8Array): Buffer => createHash('sha256').update(value).digest();

/**
 * `true` when `a` and `b` are equal, in time that depends on neither their contents nor their
 * lengths: both are hashed with SHA-256 first, so `timingSafeEqual` always compares 32 bytes and
 * a wrong-length guess takes as long as a right-length one. Strings are compared as UTF-8.
 *
 * @example
 * if (!timingSafeEqualString(given, expected)) return respond(scope, send, 401);
 */
export function timingSafeEqualString(a: string | Uint8Array, b: string | Uint8Array): boolean {
  // Both hashes are always computed: no early return on a length or type mismatch.
  const equal = timingSafeEqual(digest(a), digest(b));
  // A SHA-256 collision is not a practical concern; the direct check only guards against one.
  return equal && Buffer.from(a).equals(Buffer.from(b));
}
