/**
 * Signed CSRF tokens: `nonce.signature`, the signature being HMAC-SHA256 over
 * `binding|nonce`, where the binding is the session ID when a session exists (else empty). A
 * token thus only verifies for the session it was issued to: not for another session, and not
 * after `regenerate()` gave this one a new ID.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { timingSafeEqualString } from '@pagi/spec';

export const NONCE_BYTES = 18; // 24 base64url characters
export const SIGNATURE_BYTES = 32; // HMAC-SHA256, 43 base64url characters
/** A token's length in characters: `nonce.signature`. */
export const TOKEN_LENGTH = 24 + 1 + 43;
const TOKEN = /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/;

function sign(key: string, binding: string, nonce: string): string {
  return createHmac('sha256', key).update(`${binding}|${nonce}`).digest('base64url');
}

/** A fresh token for `binding`, signed with the first key. */
export function mintToken(keys: readonly string[], binding: string): string {
  const nonce = randomBytes(NONCE_BYTES).toString('base64url');
  return `${nonce}.${sign(keys[0] as string, binding, nonce)}`;
}

/**
 * `true` when `token` is well-formed and one of `keys` signed it for `binding`. Every key is
 * compared, each in constant time, whatever the outcome.
 */
export function verifyToken(keys: readonly string[], binding: string, token: string): boolean {
  // The shape check only looks at the token's form, not at any secret.
  const wellFormed = TOKEN.test(token);
  const nonce = wellFormed ? token.slice(0, 24) : '';
  const given = wellFormed ? token.slice(25) : token;
  let ok = false;
  for (const key of keys) ok = timingSafeEqualString(given, sign(key, binding, nonce)) || ok;
  return ok && wellFormed;
}
