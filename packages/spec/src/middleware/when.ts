import type { App, Middleware, Scope } from '../types.js';
import { named } from './named.js';

/**
 * Applies `middleware` only to the scopes `predicate` accepts; the others go to the inner app
 * directly. The middleware is applied once, when `when(...)` is applied, not per request, so its
 * setup (and any state it keeps) is shared by every request it sees.
 *
 * @example
 * const app = compose(when((scope) => scope.path.startsWith('/api/'), cors({ origin: '*' })))(router.app);
 */
export function when(predicate: (scope: Scope) => boolean, middleware: Middleware): Middleware {
  const name = `when(${middleware.name || 'middleware'})`;
  return named(name, (app: App): App => {
    const wrapped = middleware(app);
    return named(name, (scope, receive, send) =>
      predicate(scope) ? wrapped(scope, receive, send) : app(scope, receive, send),
    );
  });
}
