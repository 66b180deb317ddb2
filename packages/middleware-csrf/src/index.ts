import {
  type ConnectionScope,
  getHeaderValues,
  type HeaderList,
  type Middleware,
  PagiValidationError,
  timingSafeEqualString,
} from '@pagi/spec';
import {
  appendHeader,
  defineMiddleware,
  editHeaders,
  respond,
  SESSION,
  type ScopeKey,
  scopeKey,
  withKey,
} from '@pagi/spec/middleware';
import { parse, serialize } from 'cookie';
import { isFormBody, readFormToken } from './form-token.js';
import { maskToken, unmaskToken } from './mask.js';
import { originVerdict, trustedOrigins } from './origin.js';
import { mintToken, verifyToken } from './token.js';

/** What inner apps get through {@link CSRF}: the token to put in a form field or header. */
export interface CsrfContext {
  /**
   * A token valid for this client (and session): the cookie's, or a new one (then also set as the
   * cookie), freshly masked on every call (BREACH), so no two calls return the same string.
   */
  token(): string;
  /** The request header checked for the token. */
  readonly headerName: string;
  /** The form field checked for the token, `undefined` when forms are not read. */
  readonly fieldName: string | undefined;
}

/** Inner apps read the CSRF context with `CSRF.get(scope)`, e.g. `CSRF.require(scope).token()`. */
export const CSRF: ScopeKey<CsrfContext> = scopeKey<CsrfContext>('pagi.csrf');

export interface CsrfCookieOptions {
  /** Default `'pagi_csrf'` (on https consider `'__Host-csrf'`, which subdomains cannot overwrite). */
  name?: string;
  /** Default `'/'`. */
  path?: string;
  /** Default none. */
  domain?: string;
  /** Default `'lax'`. */
  sameSite?: 'lax' | 'strict' | 'none';
  /** Default `'auto'`: on https/wss requests. */
  secure?: boolean | 'auto';
  /** Default `true`; `false` lets page scripts read the cookie to copy it into the header. */
  httpOnly?: boolean;
}

export interface CsrfOptions {
  /** HMAC keys, each ≥ 32 characters: sign with the first, verify with all. Required. */
  keys: string | readonly string[];
  /** Request header carrying the token. Default `'x-csrf-token'`. */
  header?: string;
  /** Form field carrying the token (urlencoded and multipart bodies); `false` never reads bodies. Default `'_csrf'`. */
  field?: string | false;
  /** Most body bytes read while looking for the field; beyond → 413. Default `65536`. */
  maxBodyRead?: number;
  /** Methods never checked. Default `['GET', 'HEAD', 'OPTIONS', 'TRACE']`. */
  safeMethods?: readonly string[];
  /**
   * Check `Origin` (or `Referer` when there is no `Origin`) on unsafe requests: it must be the
   * request's own origin or in `origins`. Default `true`.
   */
  checkOrigin?: boolean;
  /** Also reject unsafe requests (and WebSocket handshakes) that carry neither `Origin` nor `Referer`. Default `false`. */
  requireOrigin?: boolean;
  /** Trusted origins besides the request's own, `'https://app.example.com'`. Default `[]`. */
  origins?: readonly string[];
  /** Check the `Origin` of WebSocket handshakes (cross-site WebSocket hijacking). Default `true`. */
  websocket?: boolean;
  /** The token cookie. */
  cookie?: CsrfCookieOptions;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'keys',
  'header',
  'field',
  'maxBodyRead',
  'safeMethods',
  'checkOrigin',
  'requireOrigin',
  'origins',
  'websocket',
  'cookie',
]);
const COOKIE_OPTIONS: ReadonlySet<string> = new Set([
  'name',
  'path',
  'domain',
  'sameSite',
  'secure',
  'httpOnly',
]);
const FORBIDDEN = { body: 'Forbidden: CSRF check failed' };

function fail(message: string): never {
  throw new PagiValidationError(`csrf(): ${message}`);
}

/**
 * The session ID a token is bound to: the session's ID once it exists in the store, else `''`.
 * `final` is the binding for issuing at response start, when a new session that got data will
 * be saved under its ID.
 */
function bindingOf(scope: ConnectionScope, final: boolean): string {
  const session = SESSION.get(scope);
  if (session === undefined) return '';
  if (!session.isNew || (final && session.keys().length > 0)) return session.id;
  return '';
}

/**
 * CSRF protection: signed double-submit tokens. A safe request gets a token cookie; an unsafe one
 * must send the same token in the `x-csrf-token` header or the `_csrf` form field, the token must
 * carry a valid signature for the current session (when the session middleware runs outside), and
 * its `Origin`/`Referer` must be trusted; otherwise 403. WebSocket handshakes from an untrusted
 * `Origin` are denied with 403 (cross-site WebSocket hijacking).
 *
 * @throws PagiValidationError for an unknown or bad option (when applied).
 * @example
 * const app = compose(session(), csrf({ keys: [process.env.CSRF_KEY!] }))(router.app);
 */
export function csrf(options: CsrfOptions): Middleware {
  if (options === null || typeof options !== 'object') fail('expected an options object with keys');
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}'`);
  const keyList = typeof options.keys === 'string' ? [options.keys] : options.keys;
  if (
    !Array.isArray(keyList) ||
    keyList.length === 0 ||
    keyList.some((k) => typeof k !== 'string' || k.length < 32)
  ) {
    fail('expected keys to be one or more strings of at least 32 characters');
  }
  const keys: readonly string[] = [...keyList];
  const headerName = (options.header ?? 'x-csrf-token').toLowerCase();
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(headerName))
    fail(`expected header to be a header name, got ${JSON.stringify(headerName)}`);
  const field = options.field ?? '_csrf';
  if (field !== false && (typeof field !== 'string' || field === ''))
    fail('expected field to be a non-empty string or false');
  const maxBodyRead = options.maxBodyRead ?? 65_536;
  if (!Number.isInteger(maxBodyRead) || maxBodyRead < 1)
    fail(`expected maxBodyRead to be an integer ≥ 1, got ${maxBodyRead}`);
  const safe = options.safeMethods ?? ['GET', 'HEAD', 'OPTIONS', 'TRACE'];
  if (!Array.isArray(safe) || safe.some((m) => typeof m !== 'string'))
    fail('expected safeMethods to be an array of method names');
  const safeMethods = new Set(safe.map((m) => m.toUpperCase()));
  const checkOrigin = options.checkOrigin ?? true;
  const requireOrigin = options.requireOrigin ?? false;
  const checkWebSocket = options.websocket ?? true;
  for (const [name, value] of [
    ['checkOrigin', checkOrigin],
    ['requireOrigin', requireOrigin],
    ['websocket', checkWebSocket],
  ] as const) {
    if (typeof value !== 'boolean') fail(`expected ${name} to be a boolean`);
  }
  const trusted = trustedOrigins('csrf()', options.origins);
  const cookieOptions = options.cookie ?? {};
  for (const key of Object.keys(cookieOptions))
    if (!COOKIE_OPTIONS.has(key)) fail(`unknown cookie option '${key}'`);
  const {
    name: cookieName = 'pagi_csrf',
    path = '/',
    domain,
    sameSite = 'lax',
    secure = 'auto',
    httpOnly = true,
  } = cookieOptions;
  if (!['lax', 'strict', 'none'].includes(sameSite))
    fail(`expected cookie.sameSite 'lax', 'strict' or 'none'`);
  if (sameSite === 'none' && secure !== true) fail("cookie.sameSite 'none' requires cookie.secure: true");
  const setCookie = (scope: ConnectionScope, token: string): string =>
    serialize(cookieName, token, {
      path,
      domain,
      sameSite,
      httpOnly,
      secure: secure === 'auto' ? scope.scheme === 'https' || scope.scheme === 'wss' : secure,
    });
  try {
    setCookie({ scheme: 'https' } as ConnectionScope, 'x'); // validates name, path, domain once
  } catch (error) {
    fail(`bad cookie option: ${(error as Error).message}`);
  }

  const cookieToken = (scope: ConnectionScope): string | undefined => {
    const values = getHeaderValues(scope.headers, 'cookie');
    return values.length === 0 ? undefined : parse(values.join('; '))[cookieName];
  };

  /**
   * The double-submit check: `submitted`, unmasked, equals the cookie's token and carries a valid
   * signature for the session. Both comparisons always run (constant time, no short-circuit on
   * the first); a malformed or wrong-length value is compared as `''` and fails.
   */
  const tokenValid = (scope: ConnectionScope, submitted: string | undefined): boolean => {
    const fromCookie = cookieToken(scope) ?? '';
    const given = (submitted === undefined ? undefined : unmaskToken(submitted)) ?? '';
    const same = timingSafeEqualString(given, fromCookie);
    const signed = verifyToken(keys, bindingOf(scope, false), given);
    return same && signed && given !== '';
  };

  const originOk = (scope: ConnectionScope): boolean => {
    const verdict = originVerdict(scope, trusted, true);
    return verdict === 'trusted' || (verdict === 'missing' && !requireOrigin);
  };

  return defineMiddleware('csrf', {
    http: async (scope, receive, send, app) => {
      let inner = receive;
      if (!safeMethods.has(scope.method)) {
        if (checkOrigin && !originOk(scope)) return respond(scope, send, 403, FORBIDDEN);
        const headers = getHeaderValues(scope.headers, headerName);
        let submitted = headers.length === 1 ? headers[0] : undefined;
        const contentType = getHeaderValues(scope.headers, 'content-type');
        if (
          submitted === undefined &&
          field !== false &&
          contentType.length === 1 &&
          isFormBody(contentType[0])
        ) {
          const found = await readFormToken(
            receive,
            { 'content-type': contentType[0] as string },
            field,
            maxBodyRead,
          );
          if (found.tooLarge) {
            return respond(scope, send, 413, {
              body: `CSRF token field '${field}' not found in the first ${maxBodyRead} bytes: send it first, or in the ${headerName} header`,
            });
          }
          submitted = found.token;
          inner = found.receive;
        }
        if (!tokenValid(scope, submitted)) return respond(scope, send, 403, FORBIDDEN);
      }
      const context = new RequestCsrf(scope, cookieToken(scope), keys, headerName, field);
      const withCookie = editHeaders(send, (headers: HeaderList) => {
        const token = context.tokenForResponse();
        return token === undefined ? undefined : appendHeader(headers, 'set-cookie', setCookie(scope, token));
      });
      return app(withKey(scope, CSRF, context), inner, withCookie);
    },
    sse: async (scope, receive, send, app) => {
      // An SSE request with an unsafe method (a POST stream) is checked like HTTP, header only.
      if (!safeMethods.has(scope.method)) {
        if (checkOrigin && !originOk(scope)) return respond(scope, send, 403, FORBIDDEN);
        const headers = getHeaderValues(scope.headers, headerName);
        if (!tokenValid(scope, headers.length === 1 ? headers[0] : undefined))
          return respond(scope, send, 403, FORBIDDEN);
      }
      return app(scope, receive, send);
    },
    websocket: async (scope, receive, send, app) => {
      // Browsers always send Origin on WebSocket handshakes and the same-origin policy does not
      // apply to them: without this check any site can open a socket with the user's cookies.
      if (checkWebSocket && !originOk(scope)) return respond(scope, send, 403, FORBIDDEN);
      return app(scope, receive, send);
    },
  });
}

/** The per-request {@link CsrfContext}. */
class RequestCsrf implements CsrfContext {
  private minted: string | undefined;

  constructor(
    private readonly scope: ConnectionScope,
    private readonly cookie: string | undefined,
    private readonly keys: readonly string[],
    readonly headerName: string,
    field: string | false,
  ) {
    this.fieldName = field === false ? undefined : field;
  }

  readonly fieldName: string | undefined;

  token(): string {
    return maskToken(this.current());
  }

  /** The unmasked token valid for the session as it is now: the cookie's, or a new one. */
  private current(): string {
    const binding = bindingOf(this.scope, true);
    if (this.minted !== undefined && verifyToken(this.keys, binding, this.minted)) return this.minted;
    if (
      this.minted === undefined &&
      this.cookie !== undefined &&
      verifyToken(this.keys, binding, this.cookie)
    ) {
      return this.cookie;
    }
    this.minted = mintToken(this.keys, binding);
    return this.minted;
  }

  /**
   * The token to set as the cookie, or `undefined` when the client's cookie is still valid for
   * the session as it is now (after a login's `regenerate()`, it is not: a new one is issued).
   */
  tokenForResponse(): string | undefined {
    const current = this.current();
    return current === this.cookie ? undefined : current;
  }
}
