/**
 * BREACH mitigation (the defence of Django and Rails): the token handed to pages is masked with
 * a fresh random one-time pad on every `token()` call, so the secret bytes never repeat across
 * responses and a compression oracle (compressed size with reflected input) has nothing stable
 * to converge on. The cookie keeps the unmasked token; a submitted token is unmasked before it
 * is compared with it.
 *
 * Masked form: base64url(pad ‖ (pad XOR bytes)), where `bytes` are the token's 50 decoded bytes
 * (18 nonce + 32 signature) and `pad` is 50 random bytes: 100 bytes, 134 characters.
 */
import { randomBytes } from 'node:crypto';
import { NONCE_BYTES, SIGNATURE_BYTES, TOKEN_LENGTH } from './token.js';

const RAW_BYTES = NONCE_BYTES + SIGNATURE_BYTES; // 50
/** Length of a masked token in characters: 100 bytes in unpadded base64url. */
export const MASKED_LENGTH = Math.ceil((RAW_BYTES * 2 * 4) / 3); // 134
// 100 bytes = 33 groups of 3 + 1: the last character carries 2 bits, its low 4 bits are zero,
// so only A, Q, g or w can end a canonical encoding (one string per byte sequence).
const MASKED = /^[A-Za-z0-9_-]{133}[AQgw]$/;

/** XORs the second half of `bytes` (pad ‖ data) with the first, in place: masks and unmasks. */
function xorPad(bytes: Buffer): void {
  for (let i = 0; i < RAW_BYTES; i++)
    bytes[RAW_BYTES + i] = (bytes[RAW_BYTES + i] as number) ^ (bytes[i] as number);
}

/**
 * A freshly masked copy of `token`, which must be a well-formed token (minted here, or the
 * cookie's after `verifyToken` accepted it: its base64url is then canonical).
 */
export function maskToken(token: string): string {
  const out = randomBytes(RAW_BYTES * 2);
  out.write(token.slice(0, 24), RAW_BYTES, NONCE_BYTES, 'base64url');
  out.write(token.slice(25), RAW_BYTES + NONCE_BYTES, SIGNATURE_BYTES, 'base64url');
  xorPad(out);
  return out.toString('base64url');
}

/**
 * The token inside a submitted value, for the comparison with the cookie: a masked token
 * (exactly {@link MASKED_LENGTH} canonical base64url characters) is unmasked; a value of exactly
 * {@link TOKEN_LENGTH} characters is taken as an unmasked token, as Django accepts the unmasked
 * secret (scripts that copy a non-HttpOnly cookie into the header; it never appears in a page
 * body, so BREACH cannot read it, and anyone who knows it could mask it themselves). Anything
 * else is `undefined`: refused. Work here depends on the submitted value's shape only, never on
 * the secret.
 */
export function unmaskToken(submitted: string): string | undefined {
  if (submitted.length === TOKEN_LENGTH) return submitted;
  if (submitted.length !== MASKED_LENGTH || !MASKED.test(submitted)) return undefined;
  const bytes = Buffer.from(submitted, 'base64url');
  xorPad(bytes);
  const nonce = bytes.toString('base64url', RAW_BYTES, RAW_BYTES + NONCE_BYTES);
  return `${nonce}.${bytes.toString('base64url', RAW_BYTES + NONCE_BYTES)}`;
}
