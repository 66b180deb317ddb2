import {
  type ConnectionScope,
  getHeaderValues,
  type HeaderList,
  type Middleware,
  PagiValidationError,
} from '@pagi/spec';
import { appendHeader, defineMiddleware, editHeaders, respond, withKey } from '@pagi/spec/middleware';
import { type CookieConfig, COOKIES, Cookies } from './cookies.js';
import { checkSetCookieOptions, type SetCookieOptions } from './set-cookie.js';
import { checkKeys } from './sign.js';

export { COOKIES, Cookies } from './cookies.js';
export { serializeSetCookie, type SetCookieOptions } from './set-cookie.js';
export { signValue, unsignValue } from './sign.js';

export interface CookieOptions {
  /**
   * Keys for signed cookies (`getSigned`/`setSigned`), each at least 32 characters. New cookies
   * are signed with the first; all are accepted when verifying, so a key is rotated by putting
   * the new one first and dropping the old one once its cookies have expired. Default: none
   * (the signed methods throw).
   */
  keys?: string | readonly string[];
  /** Largest `Cookie` header (all of them joined) parsed, in bytes; above it → 431. Default `8192`. */
  maxHeaderSize?: number;
  /** Most cookies in one request; above it → 431. Default `100`. */
  maxCookies?: number;
  /** Attribute defaults for `set()`. Default `{ path: '/', httpOnly: true, sameSite: 'lax' }`, `secure` on https/wss. */
  defaults?: SetCookieOptions;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['keys', 'maxHeaderSize', 'maxCookies', 'defaults']);

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new PagiValidationError(`cookie(): expected ${name} to be an integer ≥ 1, got ${String(value)}`);
  }
  return value;
}

/** Counts `;`-separated pairs without parsing: the limit is checked before any parsing work. */
function countPairs(header: string): number {
  if (header === '') return 0;
  let n = 1;
  for (let i = header.indexOf(';'); i >= 0; i = header.indexOf(';', i + 1)) n++;
  return n;
}

/**
 * Cookies for HTTP, SSE and WebSocket scopes: inner apps get a {@link Cookies} object through
 * {@link COOKIES} to read request cookies (`get`, `all`, `getSigned`) and add `Set-Cookie` headers
 * to the response (`set`, `setSigned`, `delete`), validated so no attribute or header can be
 * injected. A `Cookie` header over `maxHeaderSize` bytes or `maxCookies` pairs gets `431`.
 *
 * @throws PagiValidationError for an unknown option, a key shorter than 32 characters, a bad limit or default.
 * @example
 * const app = compose(cookie({ keys: [process.env.COOKIE_KEY!] }))(async (scope, receive, send) => {
 *   const cookies = COOKIES.require(scope);
 *   cookies.setSigned('theme', 'dark');
 * });
 */
export function cookie(options: CookieOptions = {}): Middleware {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('cookie(): expected an options object');
  }
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`cookie(): unknown option '${key}'`);
  }
  const config: CookieConfig = {
    keys: options.keys === undefined ? undefined : checkKeys('cookie(): keys', options.keys),
    defaults: { ...options.defaults },
  };
  checkSetCookieOptions('cookie(): defaults', config.defaults);
  const maxHeaderSize = positiveInteger('maxHeaderSize', options.maxHeaderSize, 8192);
  const maxCookies = positiveInteger('maxCookies', options.maxCookies, 100);
  const tooLarge = { body: 'Cookie header too large' };

  /** The request's cookies, or `undefined` when the Cookie header is over a limit. */
  const prepare = (scope: ConnectionScope): Cookies | undefined => {
    const values = getHeaderValues(scope.headers, 'cookie');
    // RFC 9113 §8.2.3: several Cookie fields are one list joined with "; ".
    const header = values.length === 1 ? (values[0] as string) : values.join('; ');
    // Header values are byte strings (one char per byte), so length is the size in bytes.
    if (header.length > maxHeaderSize || countPairs(header) > maxCookies) return undefined;
    return new Cookies(header, config, scope.scheme === 'https' || scope.scheme === 'wss');
  };

  return defineMiddleware('cookie', {
    http: (scope, receive, send, app) => {
      const cookies = prepare(scope);
      if (cookies === undefined) return respond(scope, send, 431, tooLarge);
      return app(withKey(scope, COOKIES, cookies), receive, withSetCookies(send, cookies));
    },
    sse: (scope, receive, send, app) => {
      const cookies = prepare(scope);
      if (cookies === undefined) return respond(scope, send, 431, tooLarge);
      return app(withKey(scope, COOKIES, cookies), receive, withSetCookies(send, cookies));
    },
    websocket: (scope, receive, send, app) => {
      const cookies = prepare(scope);
      if (cookies === undefined) return respond(scope, send, 431, tooLarge);
      return app(withKey(scope, COOKIES, cookies), receive, withSetCookies(send, cookies));
    },
  });
}

/** `send` with the cookies' `Set-Cookie` values appended to the event that starts the response. */
function withSetCookies<E extends { type: string }>(
  send: (event: E) => Promise<void>,
  cookies: Cookies,
): (event: E) => Promise<void> {
  return editHeaders(send, (headers: HeaderList) => {
    cookies.sent = true;
    let out: HeaderList | undefined;
    for (const value of cookies.outgoing) out = appendHeader(out ?? headers, 'set-cookie', value);
    return out;
  });
}
