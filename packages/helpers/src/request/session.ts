/**
 * `request.session`: the session a session middleware (`@pagi/middleware-session`, or any that
 * sets the `SESSION` key of `@pagi/spec/middleware`) handed this request. The key lives in the
 * spec, so the helpers read it typed without depending on a session package.
 */
import type { HttpScope, SseScope } from '@pagi/spec';
import { SESSION, type Session } from '@pagi/spec/middleware';

/** The scope's session, or `undefined` when no session middleware ran. */
export function sessionOf(scope: HttpScope | SseScope): Session | undefined {
  return SESSION.get(scope);
}
