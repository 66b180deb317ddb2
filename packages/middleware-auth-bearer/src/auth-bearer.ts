import {
  type ConnectionScope,
  getHeaderValues,
  type Middleware,
  PagiValidationError,
  parseBearerToken,
} from '@pagi/spec';
import {
  AUTH,
  type AuthInfo,
  defineMiddleware,
  pathPrefixMatcher,
  respond,
  type ScopeHandler,
  withKey,
} from '@pagi/spec/middleware';
import { type BearerErrorCode, challengeFor, checkAttribute, ERROR_STATUS } from './challenge.js';
import { type JwtSettings, jwtVerifier, type Verified } from './jwt.js';

/** Claims a custom `validate` accepted the token with; `sub` becomes `AUTH.user`, `scope`/`scp` the scopes. */
export type BearerClaims = Readonly<Record<string, unknown>>;

/** Your own token check: the claims for a good token, `undefined` (or `null`/`false`) to refuse it. */
export type BearerValidate = (
  token: string,
  scope: ConnectionScope,
) => BearerClaims | undefined | null | false | Promise<BearerClaims | undefined | null | false>;

export interface AuthBearerOptions extends JwtSettings {
  /** Your own token check instead of JWT verification (then no algorithms/secret/key/jwks). */
  validate?: BearerValidate;
  /** Scopes the token must grant (all of them), else 403 `insufficient_scope`. Default none. */
  requiredScopes?: readonly string[];
  /** The realm named in the challenge. Default `'api'`. */
  realm?: string;
  /** Path prefixes to protect, as whole segments. Default every path. */
  paths?: readonly string[];
  /**
   * Also accept the token from this query parameter (RFC 6750 §2.3, e.g. `'access_token'`); off by
   * default, since URLs end up in logs and Referer headers. Default `false`.
   */
  queryParam?: string | false;
  /** `false` lets requests without any token through unauthenticated (a bad token is still refused). Default `true`. */
  credentialsRequired?: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'algorithms',
  'secret',
  'key',
  'jwks',
  'jwksUrl',
  'issuer',
  'audience',
  'clockTolerance',
  'requiredClaims',
  'validate',
  'requiredScopes',
  'realm',
  'paths',
  'queryParam',
  'credentialsRequired',
]);
const JWT_OPTIONS = [
  'algorithms',
  'secret',
  'key',
  'jwks',
  'jwksUrl',
  'issuer',
  'audience',
  'clockTolerance',
  'requiredClaims',
] as const;
// A query parameter name: an RFC 3986 unreserved run (nothing to escape in a URL or a log).
const PARAM_NAME = /^[A-Za-z0-9._~-]{1,64}$/;

function fail(message: string): never {
  throw new PagiValidationError(`authBearer(): ${message}`);
}

/** The granted scopes: OAuth's space-separated `scope` (RFC 8693 §4.2, RFC 9068), or `scp` as a list or string. */
function scopesOf(claims: BearerClaims): string[] {
  const value = claims.scope ?? claims.scp;
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string');
  return [];
}

/** One query parameter's values, decoded; `[]` when absent. */
function queryValues(queryString: string, name: string): string[] {
  if (!queryString.includes(name)) return []; // the common case: no parsing at all
  return new URLSearchParams(queryString).getAll(name);
}

/** The result of looking at one request: a token, nothing, or a malformed request. */
type Presented = { token: string } | 'none' | 'malformed';

/**
 * Bearer-token authentication (RFC 6750) for HTTP, SSE and WebSocket handshakes: a JWT checked
 * with `jose` against an algorithm allow-list and a key (secret, public key, JWKS), or your own
 * `validate`. A good token reaches the app with `AUTH` (`@pagi/spec/middleware`) set to
 * `{ scheme: 'bearer', user: sub, claims, scopes }`; otherwise 401 / 400 / 403 with an RFC 6750
 * `WWW-Authenticate` challenge.
 *
 * @throws PagiValidationError for an unknown option, no or several key sources, a missing or unsafe algorithm allow-list, a bad value.
 * @example
 * const app = compose(authBearer({ jwksUrl: 'https://issuer.example/.well-known/jwks.json',
 *   algorithms: ['RS256'], issuer: 'https://issuer.example/', audience: 'my-api' }))(router.app);
 */
export function authBearer(options: AuthBearerOptions): Middleware {
  if (options === null || typeof options !== 'object') fail('expected an options object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}'`);
  }
  const { validate } = options;
  let verify: (token: string, scope: ConnectionScope) => Promise<Verified>;
  if (validate !== undefined) {
    if (typeof validate !== 'function')
      fail('expected validate to be a function (token, scope) => claims | undefined');
    const mixed = JWT_OPTIONS.filter((name) => options[name] !== undefined);
    if (mixed.length > 0)
      fail(`expected either validate or JWT options, got validate with ${mixed.join(', ')}`);
    verify = async (token, scope) => {
      const claims = await validate(token, scope);
      if (claims === undefined || claims === null || claims === false)
        return { ok: false, description: 'The token is invalid' };
      if (typeof claims !== 'object') {
        throw new PagiValidationError(
          `authBearer(): expected validate() to return claims (an object) or undefined, got ${typeof claims}`,
        );
      }
      return { ok: true, claims: claims as Record<string, unknown> };
    };
  } else {
    const jwt = jwtVerifier(options);
    verify = (token) => jwt(token);
  }
  const requiredScopes = options.requiredScopes ?? [];
  if (!Array.isArray(requiredScopes)) fail('expected requiredScopes to be an array of strings');
  for (const s of requiredScopes) {
    if (typeof s !== 'string' || s === '' || s.includes(' '))
      fail(`expected scope names without spaces, got ${JSON.stringify(s)}`);
    checkAttribute('authBearer', 'requiredScopes', s);
  }
  const scopeAttribute = requiredScopes.length > 0 ? requiredScopes.join(' ') : undefined;
  const realm = options.realm ?? 'api';
  if (typeof realm !== 'string') fail('expected realm to be a string');
  const challenge = challengeFor(realm);
  const protects = pathPrefixMatcher('authBearer', options.paths);
  const queryParam = options.queryParam ?? false;
  if (queryParam !== false && (typeof queryParam !== 'string' || !PARAM_NAME.test(queryParam))) {
    fail(
      `expected queryParam to be false or a parameter name of [A-Za-z0-9._~-], got ${JSON.stringify(queryParam)}`,
    );
  }
  const credentialsRequired = options.credentialsRequired ?? true;
  if (typeof credentialsRequired !== 'boolean') fail('expected credentialsRequired to be a boolean');

  // Fixed answers, built once.
  const answer = (code: BearerErrorCode, description: string, scope?: string) => ({
    status: ERROR_STATUS[code],
    headers: { 'www-authenticate': challenge(code, description, scope) },
    body:
      code === 'invalid_request' ? 'Bad Request' : code === 'invalid_token' ? 'Unauthorized' : 'Forbidden',
  });
  const missing = { status: 401, headers: { 'www-authenticate': challenge() }, body: 'Unauthorized' };
  const malformed = answer('invalid_request', 'The request carries a malformed token or more than one');
  const insufficient = answer(
    'insufficient_scope',
    'The token does not grant the required scope',
    scopeAttribute,
  );
  const unavailable = { status: 503, headers: { 'retry-after': '5' }, body: 'Service Unavailable' };

  /** RFC 6750 §2: one method per request; a second token anywhere is a malformed request. */
  const present = (scope: ConnectionScope): Presented => {
    const values = getHeaderValues(scope.headers, 'authorization');
    const fromQuery = queryParam === false ? [] : queryValues(scope.query_string, queryParam);
    if (values.length + fromQuery.length > 1) {
      // Two headers, or a header and a query token: refused even if one is another scheme.
      return 'malformed';
    }
    if (fromQuery.length === 1)
      return fromQuery[0] === '' ? 'malformed' : checkToken(parseBearerToken(`Bearer ${fromQuery[0]}`));
    if (values.length === 0) return 'none';
    const header = values[0]!;
    // Another scheme (Basic, …) is no Bearer credential at all (§3.1: no error code then).
    if (!/^bearer(?:\s|$)/i.test(header)) return 'none';
    return checkToken(parseBearerToken(header));
  };
  const checkToken = (token: string | undefined): Presented =>
    token === undefined ? 'malformed' : { token };

  /** What the request gets: the scope with AUTH set, the untouched scope, or an answer. */
  const authenticate = async (
    scope: ConnectionScope,
  ): Promise<AuthInfo | null | { status: number; headers: Record<string, string>; body: string }> => {
    if (!protects(scope.path)) return null;
    const presented = present(scope);
    if (presented === 'malformed') return malformed;
    if (presented === 'none') return credentialsRequired ? missing : null;
    const result = await verify(presented.token, scope);
    if (result.ok === 'unavailable') return unavailable;
    if (result.ok === false) return answer('invalid_token', result.description);
    const claims = result.claims as BearerClaims;
    const scopes = scopesOf(claims);
    for (const needed of requiredScopes) if (!scopes.includes(needed)) return insufficient;
    return {
      scheme: 'bearer',
      user: typeof claims.sub === 'string' ? claims.sub : undefined,
      claims,
      scopes,
    };
  };

  const handler = <T extends 'http' | 'sse' | 'websocket'>(): ScopeHandler<T> =>
    (async (
      scope: ConnectionScope,
      receive: never,
      send: (event: never) => Promise<void>,
      app: (...args: never[]) => unknown,
    ) => {
      const outcome = await authenticate(scope);
      if (outcome === null) return app(scope as never, receive, send as never);
      if ('status' in outcome) return respond(scope, send, outcome.status, outcome);
      return app(withKey(scope, AUTH, outcome) as never, receive, send as never);
    }) as unknown as ScopeHandler<T>;

  return defineMiddleware('authBearer', {
    http: handler<'http'>(),
    sse: handler<'sse'>(),
    websocket: handler<'websocket'>(),
  });
}
