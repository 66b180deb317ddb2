/**
 * Credentials on a request, for the Request helper: the `Authorization` header parsed with
 * `@pagi/spec`'s one definition of each scheme (the same parsers the auth middleware use), and
 * the `AUTH` scope key an auth middleware set.
 */
import {
  type BasicCredentials,
  type ConnectionScope,
  getHeaderValues,
  parseBasicCredentials,
  parseBearerToken,
} from '@pagi/spec';
import { AUTH, type AuthInfo } from '@pagi/spec/middleware';

export type { AuthInfo, BasicCredentials };

/** The one `Authorization` value, or `undefined` when absent or sent twice (ambiguous: refused like the middleware do). */
function authorization(scope: ConnectionScope): string | undefined {
  const values = getHeaderValues(scope.headers, 'authorization');
  return values.length === 1 ? values[0] : undefined;
}

/** RFC 6750 §2.1: the Bearer token, or `null` when absent, malformed, another scheme or doubled. */
export function bearerTokenOf(scope: ConnectionScope): string | null {
  return parseBearerToken(authorization(scope)) ?? null;
}

/** RFC 7617: `{ username, password }` (UTF-8), or `null` when absent, malformed, another scheme or doubled. */
export function basicAuthOf(scope: ConnectionScope): BasicCredentials | null {
  return parseBasicCredentials(authorization(scope)) ?? null;
}

/** What an auth middleware set on the scope (`AUTH`), or `undefined`. */
export function authOf(scope: ConnectionScope): AuthInfo | undefined {
  return AUTH.get(scope);
}
