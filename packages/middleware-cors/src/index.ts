import { checkHeader, type HeaderList, type Middleware, PagiValidationError } from '@pagi/spec';
import {
  appendVary,
  defineMiddleware,
  editHeaders,
  getHeader,
  respond,
  setHeader,
} from '@pagi/spec/middleware';

/** Decides per request whether `origin` (the exact `Origin` header value) may read the response. */
export type OriginCheck = (origin: string) => boolean | Promise<boolean>;

/** One allowed origin: an exact string (`'https://example.com'`) or a pattern matched against the WHOLE origin. */
export type OriginRule = string | RegExp;

export interface CorsOptions {
  /**
   * Who may read responses: `'*'` (anyone, no credentials), one rule or a list of rules (exact
   * strings or RegExps, matched against the whole `Origin`), or a function. Default `'*'`.
   */
  origin?: '*' | OriginRule | readonly OriginRule[] | OriginCheck;
  /** Methods a preflight allows. Default `GET, HEAD, POST, PUT, PATCH, DELETE`. */
  methods?: readonly string[];
  /** Request headers a preflight allows. Default: the ones the preflight asks for (echoed, token-checked). */
  allowHeaders?: readonly string[];
  /** Response headers scripts may read (`Access-Control-Expose-Headers`). Default none. */
  exposeHeaders?: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`. Default `false`; refused with `origin: '*'`. */
  credentials?: boolean;
  /** Seconds a browser may cache a preflight (`Access-Control-Max-Age`). Default `600`. */
  maxAge?: number;
  /** Answer Private Network Access preflights with `Access-Control-Allow-Private-Network: true`. Default `false`. */
  privateNetwork?: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'origin',
  'methods',
  'allowHeaders',
  'exposeHeaders',
  'credentials',
  'maxAge',
  'privateNetwork',
]);
// RFC 9110 §5.6.2 token: what a method or header name may be.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// An `Origin` header value bigger than this is not a real origin; it is refused, never matched.
const MAX_ORIGIN = 2048;

function tokenList(name: string, list: unknown, fallback: readonly string[]): string {
  const items = list === undefined ? fallback : list;
  if (!Array.isArray(items) || !items.every((t) => typeof t === 'string' && TOKEN.test(t))) {
    throw new PagiValidationError(
      `cors(): expected ${name} to be an array of tokens, got ${JSON.stringify(list)}`,
    );
  }
  return items.join(', ');
}

/** Anchors a pattern so it must match the whole origin: `/https:\/\/example\.com/` never matches `https://example.com.evil.com`. */
function anchored(pattern: RegExp): RegExp {
  return new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
}

/** Builds the origin check once, at factory time. */
function originCheck(origin: CorsOptions['origin']): OriginCheck | '*' {
  if (origin === undefined || origin === '*') return '*';
  if (typeof origin === 'function') return origin;
  const rules = (Array.isArray(origin) ? origin : [origin]) as unknown[];
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const rule of rules) {
    if (rule === '*')
      throw new PagiValidationError("cors(): '*' cannot be mixed with other origins; use origin: '*'");
    if (typeof rule === 'string' && rule !== '') exact.add(rule);
    else if (rule instanceof RegExp) patterns.push(anchored(rule));
    else
      throw new PagiValidationError(
        `cors(): expected origin rules to be non-empty strings or RegExps, got ${String(rule)}`,
      );
  }
  return (value) => exact.has(value) || patterns.some((p) => p.test(value));
}

/**
 * CORS (Fetch standard §3.2) for HTTP and SSE. Only a real preflight (`OPTIONS` with `Origin`
 * AND `Access-Control-Request-Method`) is answered here (204); every other request, `OPTIONS`
 * included, reaches the app, and allowed origins get `Access-Control-Allow-Origin` (plus
 * credentials and exposed headers) on the response. `Vary: Origin` is merged in whenever the
 * answer depends on the origin. WebSocket is not subject to CORS and passes through untouched.
 *
 * @throws PagiValidationError for an unknown option, a bad value, or `credentials` with `origin: '*'`.
 * @example
 * const app = compose(cors({ origin: ['https://app.example.com', /https:\/\/[a-z0-9-]+\.example\.com/], credentials: true }))(router.app);
 */
export function cors(options: CorsOptions = {}): Middleware {
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`cors(): unknown option '${key}'`);
  }
  const check = originCheck(options.origin);
  const any = check === '*';
  const credentials = options.credentials ?? false;
  // Decision: refuse, never reflect. Reflecting any Origin with credentials (upstream did, with a
  // warning) hands every site the user's cookies-authenticated responses.
  if (any && credentials) {
    throw new PagiValidationError("cors(): credentials cannot be combined with origin '*'; list the origins");
  }
  const methods = tokenList('methods', options.methods, ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
  const allowHeaders =
    options.allowHeaders === undefined ? undefined : tokenList('allowHeaders', options.allowHeaders, []);
  const expose = tokenList('exposeHeaders', options.exposeHeaders, []);
  const maxAge = options.maxAge ?? 600;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw new PagiValidationError(
      `cors(): expected maxAge to be a whole number of seconds >= 0, got ${maxAge}`,
    );
  }
  const privateNetwork = options.privateNetwork ?? false;
  if (typeof credentials !== 'boolean' || typeof privateNetwork !== 'boolean') {
    throw new PagiValidationError('cors(): expected credentials and privateNetwork to be booleans');
  }
  if (allowHeaders !== undefined && allowHeaders !== '')
    checkHeader('access-control-allow-headers', allowHeaders);

  /** The `Access-Control-Allow-Origin` value for this request, or '' for none. */
  const allowedOrigin = async (origin: string | undefined): Promise<string> => {
    if (origin === undefined || origin === '' || origin.length > MAX_ORIGIN) return '';
    if (any) return '*';
    return (await check(origin)) === true ? origin : '';
  };
  /** Headers every response carries for an allowed origin. */
  const grant = (headers: HeaderList, origin: string): HeaderList => {
    // The answer differs per Origin unless it is '*': caches must key on it, allowed or not.
    let out = any ? headers : appendVary(headers, 'Origin');
    if (origin === '') return out;
    out = setHeader(out, 'access-control-allow-origin', origin);
    if (credentials) out = setHeader(out, 'access-control-allow-credentials', 'true');
    return out;
  };
  const actual = (origin: string) => (headers: HeaderList) => {
    const out = grant(headers, origin);
    return origin !== '' && expose !== '' ? setHeader(out, 'access-control-expose-headers', expose) : out;
  };
  const preflight = (request: HeaderList, origin: string): HeaderList => {
    let out = grant([], origin);
    if (allowHeaders === undefined) out = appendVary(out, 'Access-Control-Request-Headers');
    if (origin === '') return out; // refused: no CORS headers, the browser fails the request
    out.push(['access-control-allow-methods', methods], ['access-control-max-age', String(maxAge)]);
    const asked = getHeader(request, 'access-control-request-headers');
    // Echo only a well-formed token list: anything else is not echoed at all.
    const echo =
      allowHeaders ??
      (asked === undefined
        ? ''
        : asked
              .split(',')
              .map((h) => h.trim())
              .filter((h) => h !== '')
              .every((h) => TOKEN.test(h))
          ? asked
          : '');
    if (echo !== '') out.push(['access-control-allow-headers', echo]);
    if (privateNetwork && getHeader(request, 'access-control-request-private-network') === 'true') {
      out.push(['access-control-allow-private-network', 'true']);
    }
    return out;
  };

  return defineMiddleware('cors', {
    http: async (scope, receive, send, app) => {
      const origin = await allowedOrigin(getHeader(scope.headers, 'origin'));
      if (
        scope.method === 'OPTIONS' &&
        getHeader(scope.headers, 'origin') !== undefined &&
        getHeader(scope.headers, 'access-control-request-method') !== undefined
      ) {
        return respond(scope, send, 204, { headers: preflight(scope.headers, origin) });
      }
      return app(scope, receive, editHeaders(send, actual(origin)));
    },
    sse: async (scope, receive, send, app) => {
      const origin = await allowedOrigin(getHeader(scope.headers, 'origin'));
      return app(scope, receive, editHeaders(send, actual(origin)));
    },
  });
}
