/**
 * The one scope key for "who made this request", set by every auth middleware (Basic, Bearer,
 * your own) and read by inner apps, `@pagi/helpers`' `request.auth`/`request.user` and router
 * handlers without depending on the middleware that set it.
 */
import { type ScopeKey, scopeKey } from '../scope-key.js';

/** What an auth middleware found out about the client. */
export interface AuthInfo {
  /** The scheme that authenticated the request: `'basic'`, `'bearer'`, or your own. */
  readonly scheme: string;
  /** Who: the username (Basic), the token's `sub` claim (Bearer); `undefined` when the credential names nobody. */
  readonly user: string | undefined;
  /** The verified token's claims (Bearer); `{}` for schemes without claims. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The granted scopes (OAuth `scope` claim, space-separated, or `scp`); `[]` when none. */
  readonly scopes: readonly string[];
}

/**
 * The authenticated client on the scope: `AUTH.get(scope)?.user`.
 *
 * @example
 * // in a middleware:  return app(withKey(scope, AUTH, { scheme: 'basic', user, claims: {}, scopes: [] }), receive, send);
 * // in an inner app:  const who = AUTH.get(scope)?.user;
 */
export const AUTH: ScopeKey<AuthInfo> = scopeKey<AuthInfo>('auth');
