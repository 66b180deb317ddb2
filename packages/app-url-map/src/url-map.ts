import { type App, PagiValidationError } from '@pagi/spec';
import { compose, mount, respond } from '@pagi/spec/middleware';

/** Prefix → app: a plain object, a `Map`, or a list of `[prefix, app]` pairs. */
export type UrlMapTable =
  | Readonly<Record<string, App>>
  | ReadonlyMap<string, App>
  | Iterable<readonly [string, App]>;

/** Options of {@link urlMap}. */
export interface UrlMapOptions {
  /**
   * The app for every connection no prefix matches, and for `lifespan`. Default: a scope-aware
   * 404 (HTTP 404, WebSocket close before accept → 403 or the denial extension's 404, SSE 404
   * decline); `lifespan` is declined (the app returns without a signal).
   */
  default?: App;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['default']);

function fail(message: string): never {
  throw new PagiValidationError(`urlMap(): ${message}`);
}

function entriesOf(table: UrlMapTable): [string, App][] {
  if (table === null || typeof table !== 'object')
    fail(`expected a table of prefix → app, got ${String(table)}`);
  if (table instanceof Map || Symbol.iterator in table) return [...(table as Iterable<[string, App]>)];
  return Object.entries(table as Record<string, App>);
}

/** No prefix matched: answered in the scope's own vocabulary, never a crash or a hang. */
const notFound: App = async (scope, _receive, send) => {
  if (scope.type === 'lifespan') return;
  await respond(scope, send as never, 404, { body: 'Not Found' });
};

/**
 * One app that sends each connection to the app mounted at the longest prefix its path lies
 * under. Matching is by whole segments (`/api` takes `/api` and `/api/x`, never `/apix`) and
 * is `mount` of `@pagi/spec/middleware`, so `root_path` is extended by the prefix and `path`
 * keeps the full path (protocol.md §3.1: `path` includes `root_path`). Trailing slashes of a
 * prefix are ignored; `/` matches everything.
 *
 * @throws PagiValidationError for a prefix not starting with `/`, the same prefix twice (after
 * trailing slashes are dropped), a value that is not an app, or an unknown option.
 * @example
 * export default urlMap({ '/api': api, '/static': staticApp('public') }, { default: site });
 */
export function urlMap(table: UrlMapTable, options: UrlMapOptions = {}): App {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}'`);
  }
  const fallback = options.default ?? notFound;
  if (typeof fallback !== 'function') fail(`expected default to be an app function, got ${typeof fallback}`);
  const seen = new Set<string>();
  const mounts = entriesOf(table).map(([prefix, app]) => {
    if (typeof prefix !== 'string' || !prefix.startsWith('/'))
      fail(`expected each prefix to start with '/', got ${JSON.stringify(prefix)}`);
    if (typeof app !== 'function') fail(`expected an app function for '${prefix}', got ${typeof app}`);
    const at = prefix.replace(/\/+$/, '');
    if (seen.has(at)) fail(`prefix '${at || '/'}' is mapped twice`);
    seen.add(at);
    return { at, app };
  });
  // compose() makes the first middleware the outermost: longest prefix first, so it wins.
  mounts.sort((a, b) => b.at.length - a.at.length);
  return compose(...mounts.map((m) => mount(m.at || '/', m.app)))(fallback);
}
