/**
 * Signed cookie values: `value.signature`, where the signature is HMAC-SHA256 over
 * `name=value` (so a signed value cannot be moved to another cookie name) in base64url.
 * Key rotation: sign with the first key, verify against every key.
 */
import { createHmac } from 'node:crypto';
import { PagiValidationError, timingSafeEqualString } from '@pagi/spec';

/** The shortest signing key accepted: 32 characters (256 bits if random). */
export const MIN_KEY_LENGTH = 32;

/** `keys` as a non-empty list of strong-enough strings, or a PagiValidationError naming the problem. */
export function checkKeys(where: string, keys: unknown): readonly string[] {
  const list = typeof keys === 'string' ? [keys] : keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new PagiValidationError(`${where}: expected a key string or a non-empty array of keys`);
  }
  for (const key of list) {
    if (typeof key !== 'string' || key.length < MIN_KEY_LENGTH) {
      throw new PagiValidationError(
        `${where}: expected every key to be a string of at least ${MIN_KEY_LENGTH} characters`,
      );
    }
  }
  return Object.freeze([...list]);
}

function mac(key: string, name: string, value: string): string {
  return createHmac('sha256', key).update(`${name}=${value}`).digest('base64url');
}

/** `value.signature`, signed with the first key. */
export function signValue(keys: readonly string[], name: string, value: string): string {
  return `${value}.${mac(keys[0] as string, name, value)}`;
}

/**
 * The value of a `value.signature` string when one of `keys` signed it for `name`, else
 * `undefined`. Every key is tried (no early exit) and each comparison is constant-time, so the
 * time taken says nothing about which key matched or how much of the signature was right.
 */
export function unsignValue(keys: readonly string[], name: string, signed: string): string | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot < 0) return undefined;
  const value = signed.slice(0, dot);
  const given = signed.slice(dot + 1);
  let ok = false;
  for (const key of keys) {
    // The comparison runs first, so the remaining keys are still checked after a match.
    ok = timingSafeEqualString(given, mac(key, name, value)) || ok;
  }
  return ok ? value : undefined;
}
