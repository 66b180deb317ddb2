/**
 * Path prefixes matched as whole segments, the rule every middleware with a `paths` option uses
 * (auth, rate limits): `/admin` covers `/admin` and `/admin/…`, never `/administrator` (the
 * upstream plain-prefix match did: toolkit-parity §1, Auth::Basic).
 */
import { PagiValidationError } from '../errors.js';

/**
 * A predicate for `scope.path` built once from `paths` (each starting with `/`; a trailing `/` is
 * ignored; `/` covers everything). No `paths` (or an empty list) covers every path. Compared
 * case-sensitively against the decoded path.
 *
 * @throws PagiValidationError naming `owner` for a path that is not a string starting with `/`.
 * @example
 * const covers = pathPrefixMatcher('authBearer', ['/api']);
 * covers('/api/users') // true
 * covers('/apix')      // false
 */
export function pathPrefixMatcher(
  owner: string,
  paths: readonly string[] | undefined,
): (path: string) => boolean {
  if (paths !== undefined && !Array.isArray(paths)) {
    throw new PagiValidationError(`${owner}(): expected paths to be an array of strings starting with '/'`);
  }
  const prefixes = (paths ?? []).map((path) => {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new PagiValidationError(
        `${owner}(): expected paths to start with '/', got ${JSON.stringify(path)}`,
      );
    }
    return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  });
  if (prefixes.length === 0 || prefixes.includes('/')) return () => true;
  return (path) =>
    prefixes.some((p) => path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 0x2f));
}
