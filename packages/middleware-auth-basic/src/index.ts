import {
  checkHeader,
  type ConnectionScope,
  getHeaderValues,
  type Middleware,
  PagiValidationError,
  parseBasicCredentials,
  timingSafeEqualString,
} from '@pagi/spec';
import {
  AUTH,
  defineMiddleware,
  pathPrefixMatcher,
  respond,
  type ScopeKey,
  scopeKey,
  withKey,
} from '@pagi/spec/middleware';

/** RFC 7617 parsing: the one definition lives in `@pagi/spec` (`parseBasicCredentials`). */
export { parseBasicCredentials as basicAuth, type BasicCredentials } from '@pagi/spec';

/** Who authenticated, as inner apps read it with `AUTH_USER.get(scope)`. */
export interface AuthUser {
  scheme: 'basic';
  username: string;
}

/** The authenticated user on the scope, for inner apps: `AUTH_USER.get(scope)?.username`. */
export const AUTH_USER: ScopeKey<AuthUser> = scopeKey<AuthUser>('pagi.auth.user');

/** Decides whether a username/password pair is valid; only `true` lets the request in. */
export type BasicVerify = (
  username: string,
  password: string,
  scope: ConnectionScope,
) => boolean | Promise<boolean>;

export interface AuthBasicOptions {
  /** `username → password`; passwords are compared in constant time. Give this or `verify`. */
  users?: Readonly<Record<string, string>>;
  /** Your own check (sync or async). Give this or `users`. Compare secrets with `timingSafeEqualString`. */
  verify?: BasicVerify;
  /** The realm named in the challenge. Default `'Restricted'`. */
  realm?: string;
  /**
   * Path prefixes to protect, each a whole segment: `/admin` protects `/admin` and `/admin/…`,
   * not `/administrator`. Default: every path.
   */
  paths?: readonly string[];
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['users', 'verify', 'realm', 'paths']);
// Compared against when the username is unknown, so a miss costs the same as a wrong password.
const NO_USER = '\u0000no-such-user';

/** `realm` as an RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped; control characters refused. */
function quoted(realm: string): string {
  return `"${realm.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * HTTP Basic authentication (RFC 7617) for HTTP, SSE and WebSocket handshakes. A request to a
 * protected path without valid credentials gets `401` with
 * `WWW-Authenticate: Basic realm="…", charset="UTF-8"` (a declined SSE stream, a denied
 * WebSocket handshake); with valid ones it reaches the app with {@link AUTH_USER} set.
 *
 * @throws PagiValidationError for an unknown option, neither or both of `users`/`verify`, a bad realm or path.
 * @example
 * const app = compose(authBasic({ users: { admin: process.env.ADMIN_PASSWORD! }, paths: ['/admin'] }))(router.app);
 */
export function authBasic(options: AuthBasicOptions): Middleware {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('authBasic(): expected an options object with users or verify');
  }
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`authBasic(): unknown option '${key}'`);
  }
  const { users, verify } = options;
  if ((users === undefined) === (verify === undefined)) {
    throw new PagiValidationError('authBasic(): expected exactly one of users or verify');
  }
  if (verify !== undefined && typeof verify !== 'function') {
    throw new PagiValidationError(`authBasic(): expected verify to be a function, got ${typeof verify}`);
  }
  // A Map, not the object: `__proto__` or `constructor` as a username finds nothing.
  const table = new Map<string, string>();
  if (users !== undefined) {
    if (users === null || typeof users !== 'object') {
      throw new PagiValidationError('authBasic(): expected users to be an object of username → password');
    }
    for (const [name, password] of Object.entries(users)) {
      if (name.includes(':') || typeof password !== 'string') {
        throw new PagiValidationError(
          `authBasic(): expected users to map names without ':' to password strings, got ${JSON.stringify(name)}`,
        );
      }
      table.set(name, password);
    }
  }
  const realm = options.realm ?? 'Restricted';
  if (typeof realm !== 'string') throw new PagiValidationError('authBasic(): expected realm to be a string');
  const challenge = `Basic realm=${quoted(realm)}, charset="UTF-8"`;
  checkHeader('www-authenticate', challenge); // refuses CR/LF/control characters in the realm
  // Whole path segments: `/admin` never covers `/administrator` (the kit's one rule).
  const protects = pathPrefixMatcher('authBasic', options.paths);

  const check = async (scope: ConnectionScope, username: string, password: string): Promise<boolean> => {
    if (verify !== undefined) return (await verify(username, password, scope)) === true;
    const expected = table.get(username);
    // Always one comparison, whether the user exists or not.
    const same = timingSafeEqualString(password, expected ?? NO_USER);
    return same && expected !== undefined;
  };
  const unauthorized = { headers: { 'www-authenticate': challenge }, body: 'Unauthorized' };
  /** Both keys: this package's `AUTH_USER` and the shared `AUTH` every helper reads. */
  const signIn = <S extends object>(scope: S, user: AuthUser): S =>
    withKey(withKey(scope, AUTH_USER, user), AUTH, {
      scheme: 'basic',
      user: user.username,
      claims: {},
      scopes: [],
    });

  /** The user for this request, `null` when it is not protected, or `undefined` when refused. */
  const authenticate = async (scope: ConnectionScope): Promise<AuthUser | null | undefined> => {
    if (!protects(scope.path)) return null;
    const values = getHeaderValues(scope.headers, 'authorization');
    // Two Authorization headers are ambiguous (which one did a proxy check?): refused.
    const credentials = values.length === 1 ? parseBasicCredentials(values[0]) : undefined;
    if (credentials === undefined) return undefined;
    return (await check(scope, credentials.username, credentials.password))
      ? { scheme: 'basic', username: credentials.username }
      : undefined;
  };

  return defineMiddleware('authBasic', {
    http: async (scope, receive, send, app) => {
      const user = await authenticate(scope);
      if (user === null) return app(scope, receive, send);
      if (user === undefined) return respond(scope, send, 401, unauthorized);
      return app(signIn(scope, user), receive, send);
    },
    sse: async (scope, receive, send, app) => {
      const user = await authenticate(scope);
      if (user === null) return app(scope, receive, send);
      if (user === undefined) return respond(scope, send, 401, unauthorized);
      return app(signIn(scope, user), receive, send);
    },
    websocket: async (scope, receive, send, app) => {
      const user = await authenticate(scope);
      if (user === null) return app(scope, receive, send);
      if (user === undefined) return respond(scope, send, 401, unauthorized);
      return app(signIn(scope, user), receive, send);
    },
  });
}
