/**
 * The cookie store: the whole session travels in the client's cookie, sealed with AES-256-GCM
 * (authenticated encryption: the client can neither read nor change it). Nothing is kept on the
 * server, so `destroy()` only clears the cookie: a copy the client kept stays valid until it
 * expires (the expiry is inside the sealed payload).
 *
 * Sealed format (base64url): version byte 1 | 12-byte IV | 16-byte tag | ciphertext of
 * `{"i":id,"e":expires,"c":created,"d":data}` (`c` absent in cookies sealed before it was kept). Each key string is stretched to 32 bytes with HKDF-SHA256.
 * Key rotation: seal with the first key, try every key to open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { PagiValidationError } from '@pagi/spec';
import { SessionError } from '../errors.js';
import { isSessionId, type SessionRecord, type SessionStore } from '../store.js';

export interface CookieStoreOptions {
  /** Encryption keys, each at least 32 characters; seal with the first, open with any. Required. */
  keys: string | readonly string[];
  /**
   * Largest sealed session, in characters (the cookie value; browsers keep about 4096 bytes per
   * cookie including its name and attributes). A bigger session fails with
   * `PAGI_ERR_SESSION_TOO_LARGE`. Default `3800`.
   */
  maxSize?: number;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

const VERSION = 1;
const IV = 12;
const TAG = 16;
// Binds ciphertexts to this use: a blob sealed by another feature with the same key does not open.
const AAD = Buffer.from('pagi.session.v1');
const KNOWN: ReadonlySet<string> = new Set(['keys', 'maxSize', 'now']);

function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'pagi.session', 'aes-256-gcm', 32));
}

/** A {@link SessionStore} that keeps each session encrypted in the client's cookie. */
export function cookieStore(options: CookieStoreOptions): SessionStore {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('cookieStore(): expected an options object with keys');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`cookieStore(): unknown option '${key}'`);
  }
  const list = typeof options.keys === 'string' ? [options.keys] : options.keys;
  if (!Array.isArray(list) || list.length === 0 || list.some((k) => typeof k !== 'string' || k.length < 32)) {
    throw new PagiValidationError(
      'cookieStore(): expected keys to be one or more strings of at least 32 characters',
    );
  }
  const keys = list.map(deriveKey);
  const maxSize = options.maxSize ?? 3800;
  if (!Number.isInteger(maxSize) || maxSize < 100) {
    throw new PagiValidationError(`cookieStore(): expected maxSize to be an integer ≥ 100, got ${maxSize}`);
  }
  const now = options.now ?? Date.now;

  const open = (sealed: Buffer): string | undefined => {
    const iv = sealed.subarray(1, 1 + IV);
    const tag = sealed.subarray(1 + IV, 1 + IV + TAG);
    const body = sealed.subarray(1 + IV + TAG);
    for (const key of keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(AAD);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        // wrong key or tampered: GCM's tag check failed; try the next key
      }
    }
    return undefined;
  };

  return {
    async get(handle) {
      if (handle.length > maxSize) return undefined;
      const sealed = Buffer.from(handle, 'base64url');
      if (sealed.length < 1 + IV + TAG + 2 || sealed[0] !== VERSION) return undefined;
      const json = open(sealed);
      if (json === undefined) return undefined;
      const payload = JSON.parse(json) as { i: string; e: number; c?: number; d: Record<string, unknown> };
      if (!isSessionId(payload.i) || !(payload.e > now())) return undefined;
      const created = typeof payload.c === 'number' ? payload.c : undefined;
      return { id: payload.i, data: payload.d, expires: payload.e, created };
    },
    async set(record: SessionRecord) {
      const iv = randomBytes(IV);
      const cipher = createCipheriv('aes-256-gcm', keys[0] as Buffer, iv);
      cipher.setAAD(AAD);
      const json = JSON.stringify({ i: record.id, e: record.expires, c: record.created, d: record.data });
      const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
      const sealed = Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString(
        'base64url',
      );
      if (sealed.length > maxSize) {
        throw new SessionError(
          'PAGI_ERR_SESSION_TOO_LARGE',
          `cookieStore(): expected a sealed session of at most ${maxSize} characters, got ${sealed.length} (${json.length} bytes of JSON): keep less in the session or use a server-side store`,
        );
      }
      return sealed;
    },
    async delete() {
      // Nothing on the server: the middleware clears the cookie.
    },
  };
}
