/**
 * One `Set-Cookie` value from a name, a value and attributes, validated: the `cookie` library
 * refuses names that are not tokens and values, domains and paths with characters outside the
 * RFC 6265 grammar (so no `;`, CR or LF can inject an attribute or a header), and the prefix
 * rules of RFC 6265bis §4.1.3 (`__Secure-`, `__Host-`) are enforced here.
 */
import { checkHeader, PagiValidationError } from '@pagi/spec';
import { serialize } from 'cookie';

/** The attributes a cookie can be set with. */
export interface SetCookieOptions {
  /** `Path`. Default `'/'`. */
  path?: string;
  /** `Domain`. Default: none (host-only). */
  domain?: string;
  /** `Max-Age` in seconds (an integer; 0 deletes). Default: none (a session cookie). */
  maxAge?: number;
  /** `Expires`. Default: none. */
  expires?: Date;
  /** `HttpOnly`. Default `true`. */
  httpOnly?: boolean;
  /** `Secure`. Default: `true` when the request came over https/wss. */
  secure?: boolean;
  /** `SameSite`. Default `'lax'`. */
  sameSite?: 'lax' | 'strict' | 'none' | false;
  /** `Partitioned` (CHIPS). Default `false`. */
  partitioned?: boolean;
  /** `Priority`. Default: none. */
  priority?: 'low' | 'medium' | 'high';
}

const KNOWN: ReadonlySet<string> = new Set([
  'path',
  'domain',
  'maxAge',
  'expires',
  'httpOnly',
  'secure',
  'sameSite',
  'partitioned',
  'priority',
]);

/** Throws a PagiValidationError for an unknown attribute or a value of the wrong type. */
export function checkSetCookieOptions(where: string, options: SetCookieOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError(`${where}: expected cookie options to be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`${where}: unknown cookie option '${key}'`);
  }
  const { maxAge, expires, sameSite } = options;
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0)) {
    throw new PagiValidationError(`${where}: expected maxAge to be an integer ≥ 0 (seconds), got ${maxAge}`);
  }
  if (expires !== undefined && !(expires instanceof Date && !Number.isNaN(expires.getTime()))) {
    throw new PagiValidationError(`${where}: expected expires to be a valid Date`);
  }
  if (sameSite !== undefined && sameSite !== false && !['lax', 'strict', 'none'].includes(sameSite)) {
    throw new PagiValidationError(
      `${where}: expected sameSite to be 'lax', 'strict', 'none' or false, got ${JSON.stringify(sameSite)}`,
    );
  }
}

/**
 * The `Set-Cookie` header value. `value` is percent-encoded (`encodeURIComponent`), so any
 * string is safe as a value; everything else must already be valid.
 *
 * @throws PagiValidationError for an invalid name, domain, path or attribute, a `SameSite=None`
 *   cookie without `Secure`, or a broken `__Secure-`/`__Host-` prefix rule.
 */
export function serializeSetCookie(name: string, value: string, options: SetCookieOptions): string {
  checkSetCookieOptions('setCookie()', options);
  if (typeof value !== 'string') {
    throw new PagiValidationError(`setCookie(): expected the value of '${name}' to be a string`);
  }
  const { secure = false, sameSite = 'lax', path = '/', domain } = options;
  // Browsers drop SameSite=None cookies without Secure: say so at the call rather than ship a
  // cookie that silently never arrives.
  if (sameSite === 'none' && !secure) {
    throw new PagiValidationError(`setCookie(): '${name}' has sameSite 'none', which requires secure: true`);
  }
  // Browsers match the prefixes case-insensitively (RFC 6265bis §5.7): `__host-x` is held to them too.
  const prefix = name.slice(0, 9).toLowerCase();
  if (prefix === '__secure-' && !secure) {
    throw new PagiValidationError(`setCookie(): a '__Secure-' cookie requires secure: true`);
  }
  if (prefix.startsWith('__host-') && (!secure || path !== '/' || domain !== undefined)) {
    throw new PagiValidationError(
      `setCookie(): a '__Host-' cookie requires secure: true, path '/' and no domain`,
    );
  }
  let header: string;
  try {
    header = serialize(name, value, {
      path,
      domain,
      maxAge: options.maxAge,
      expires: options.expires,
      httpOnly: options.httpOnly ?? true,
      secure,
      sameSite: sameSite === false ? undefined : sameSite,
      partitioned: options.partitioned,
      priority: options.priority,
    });
  } catch (error) {
    throw new PagiValidationError(`setCookie(): ${(error as Error).message}`, { cause: error });
  }
  checkHeader('set-cookie', header); // belt and braces: no CR/LF/NUL ever reaches the wire
  return header;
}
