import { PagiValidationError } from '../errors.js';
import type { App, Middleware } from '../types.js';
import { named } from './named.js';

/**
 * Sends the connection scopes whose path is `prefix` or lies below it (`/api`, `/api/…`, never
 * `/apix`) to `target`, with `root_path` extended by the prefix (protocol.md §3.1: `path` keeps
 * the full path, `root_path` says where the app is mounted); everything else, `lifespan`
 * included, goes to the inner app.
 *
 * @throws PagiValidationError when `prefix` does not start with `/` or `target` is not a function.
 * @example
 * const app = compose(mount('/admin', adminApp), cors())(site);
 */
export function mount(prefix: string, target: App): Middleware {
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    throw new PagiValidationError(
      `mount() expected a prefix starting with '/', got ${JSON.stringify(prefix)}`,
    );
  }
  if (typeof target !== 'function') {
    throw new PagiValidationError(`mount() expected an app function, got ${typeof target}`);
  }
  const at = prefix.replace(/\/+$/, '');
  const name = `mount(${at || '/'})`;
  return named(
    name,
    (app: App): App =>
      named(name, (scope, receive, send) => {
        if (scope.type === 'lifespan') return app(scope, receive, send);
        const root = scope.root_path.endsWith('/') ? scope.root_path.slice(0, -1) : scope.root_path;
        const full = root + at;
        const path = scope.path;
        if (
          !path.startsWith(full) ||
          (path.length !== full.length && path.charCodeAt(full.length) !== 0x2f)
        ) {
          return app(scope, receive, send);
        }
        return target({ ...scope, root_path: full }, receive, send);
      }),
  );
}
