import { type Middleware, PagiValidationError } from '@pagi/spec';
import { defineMiddleware, respond, scopeKey, withKey } from '@pagi/spec/middleware';

/** The path before the first rewrite, for inner apps (logs, canonical links). */
export const ORIGINAL_PATH = scopeKey<string>('original_path');

export interface RewriteRule {
  /**
   * A string matches that exact path or, as a directory, any path below it (`/old` matches
   * `/old` and `/old/x`, not `/older`); a RegExp is tested against `path`.
   */
  from: string | RegExp;
  /**
   * The new path, starting with `/`. For a string `from`, the rest below the directory is
   * appended; for a RegExp, `$1`, `$<name>`, `$&` are replaced as `String.prototype.replace`
   * does. A `?query` part is put before the request's own query.
   */
  to: string;
}

export interface RewriteOptions {
  /** The rules, tried in order; the first match wins. Required. */
  rules: readonly RewriteRule[];
  /** `false` (default): rewrite internally. A status (301, 302, 307, 308): redirect HTTP and SSE there instead. */
  redirect?: false | 301 | 302 | 307 | 308;
}

const KNOWN: ReadonlySet<string> = new Set(['rules', 'redirect']);
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 307, 308]);

interface Compiled {
  exact?: string;
  pattern?: RegExp;
  /** `to` before its `?`, and after it ('' when none): a `?` from the request path is path data. */
  toPath: string;
  toQuery: string;
}

function splitTo(to: string): { toPath: string; toQuery: string } {
  const q = to.indexOf('?');
  return q === -1 ? { toPath: to, toQuery: '' } : { toPath: to.slice(0, q), toQuery: to.slice(q + 1) };
}

/** `raw_path` bytes for a decoded path: each segment percent-encoded as UTF-8, `/` kept. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * Rewrites the request path by rule, for HTTP, SSE and WebSocket scopes: internally (the inner
 * app sees the new `path` and a matching `raw_path`, the query kept, and the first original path in
 * {@link ORIGINAL_PATH}), or, with `redirect`, as a redirect of HTTP and SSE requests (WebSockets,
 * which cannot follow one, are rewritten internally). A result can never start with `//` (a
 * protocol-relative URL in a `Location`): leading slashes collapse to one.
 *
 * @throws PagiValidationError for an unknown option, no rules, or a malformed rule, when called.
 * @example
 * const app = compose(rewrite({ rules: [{ from: '/blog', to: '/articles' }, { from: /^\/u\/(\d+)$/, to: '/users/$1' }] }))(router.app);
 */
export function rewrite(options: RewriteOptions): Middleware {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('rewrite(): expected options with rules');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`rewrite(): unknown option '${key}'`);
  }
  if (!Array.isArray(options.rules) || options.rules.length === 0) {
    throw new PagiValidationError('rewrite(): expected rules to be a non-empty list of { from, to }');
  }
  const rules: Compiled[] = options.rules.map((rule, i) => {
    const to = rule?.to;
    if (typeof to !== 'string' || !to.startsWith('/') || /[\r\n\0]/.test(to)) {
      throw new PagiValidationError(
        `rewrite(): expected rules[${i}].to to be a path starting with /, got ${JSON.stringify(to)}`,
      );
    }
    if (typeof rule.from === 'string') {
      if (!rule.from.startsWith('/')) {
        throw new PagiValidationError(
          `rewrite(): expected rules[${i}].from to start with /, got ${JSON.stringify(rule.from)}`,
        );
      }
      return { exact: rule.from === '/' ? '/' : rule.from.replace(/\/+$/, ''), ...splitTo(to) };
    }
    if (rule.from instanceof RegExp)
      return { pattern: new RegExp(rule.from.source, rule.from.flags.replace(/[gy]/g, '')), ...splitTo(to) };
    throw new PagiValidationError(
      `rewrite(): expected rules[${i}].from to be a string or a RegExp, got ${typeof rule.from}`,
    );
  });
  const redirect = options.redirect ?? false;
  if (redirect !== false && !REDIRECTS.has(redirect)) {
    throw new PagiValidationError(
      `rewrite(): expected redirect to be false, 301, 302, 307 or 308, got ${String(redirect)}`,
    );
  }

  /** The new path and the rule's query (`''` for none), or `undefined` when no rule matches. */
  const apply = (path: string): [path: string, query: string] | undefined => {
    for (const rule of rules) {
      if (rule.exact !== undefined) {
        let out: string | undefined;
        if (path === rule.exact) out = rule.toPath;
        else if (rule.exact === '/' || path.startsWith(`${rule.exact}/`)) {
          const rest = path.slice(rule.exact === '/' ? 1 : rule.exact.length);
          out =
            rule.toPath.endsWith('/') && rest.startsWith('/')
              ? rule.toPath + rest.slice(1)
              : rule.toPath + rest;
        }
        if (out !== undefined) return [out.replace(/^\/{2,}/, '/'), rule.toQuery];
      } else {
        const match = rule.pattern!.exec(path);
        if (match === null) continue;
        // replace() keeps what an unanchored pattern did not cover; the rule's query gets the
        // same groups, expanded over the matched text only.
        const out = path.replace(rule.pattern!, rule.toPath);
        const query = rule.toQuery === '' ? '' : match[0].replace(rule.pattern!, rule.toQuery);
        return [out.replace(/^\/{2,}/, '/'), query];
      }
    }
    return undefined;
  };

  /** The rule's query, then the request's. */
  const merge = (own: string, query: string): string =>
    own === '' ? query : query === '' ? own : `${own}&${query}`;

  const internal = <S extends { path: string; raw_path?: string; query_string: string }>(
    scope: S,
    [path, own]: [string, string],
  ): S => {
    const query = merge(own, scope.query_string);
    const copy = withKey(scope, ORIGINAL_PATH, ORIGINAL_PATH.get(scope) ?? scope.path);
    copy.path = path;
    copy.raw_path = encodePath(path);
    copy.query_string = query;
    return copy;
  };
  const location = ([path, own]: [string, string], query: string): string => {
    const q = merge(own, query);
    // Query bytes outside visible ASCII are percent-encoded: a header value must stay clean.
    const safe = q.replace(
      /[^\x21-\x7e]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    );
    return encodePath(path) + (safe === '' ? '' : `?${safe}`);
  };

  return defineMiddleware('rewrite', {
    http: (scope, receive, send, app) => {
      const target = apply(scope.path);
      if (target === undefined) return app(scope, receive, send);
      if (redirect === false) return app(internal(scope, target), receive, send);
      const to = location(target, scope.query_string);
      return respond(scope, send, redirect, { headers: { location: to }, body: `Redirecting to ${to}` });
    },
    sse: (scope, receive, send, app) => {
      const target = apply(scope.path);
      if (target === undefined) return app(scope, receive, send);
      if (redirect === false) return app(internal(scope, target), receive, send);
      const to = location(target, scope.query_string);
      return respond(scope, send, redirect, { headers: { location: to }, body: `Redirecting to ${to}` });
    },
    websocket: (scope, receive, send, app) => {
      const target = apply(scope.path);
      return app(target === undefined ? scope : internal(scope, target), receive, send);
    },
  });
}
