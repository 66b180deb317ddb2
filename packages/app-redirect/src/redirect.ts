import type { App, ConnectionScope } from '@pagi/spec';
import { PagiValidationError } from '@pagi/spec';
import { respond } from '@pagi/spec/middleware';
import { checkLocation, withQuery } from './location.js';

/** A redirect status: permanent (301, 308) or temporary (302, 303, 307). */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

/** Computes the target per connection. */
export type RedirectTarget = (scope: ConnectionScope) => string | Promise<string>;

/** Options of {@link redirect}. */
export interface RedirectOptions {
  /** 301, 302, 303, 307 or 308. Default 302. */
  status?: RedirectStatus;
  /** Append the request's query string (with `?`, or `&` when the target has one). Default true. */
  preserveQuery?: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['status', 'preserveQuery']);
const STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

function fail(message: string): never {
  throw new PagiValidationError(`redirect(): ${message}`);
}

/**
 * An app that redirects every connection to `to`: an absolute URL or a path (relative
 * references are resolved by the client against the request URL, RFC 9110 §10.2.2), fixed or
 * computed per connection. HTTP gets the redirect; SSE a decline with the redirect (EventSource
 * follows it); WebSocket a denial with it when the server offers the extension, else a close
 * before accept (403). `lifespan` is declined.
 *
 * A target with control characters (CR/LF: header injection) is refused: a fixed one when the
 * app is built, a computed one per request (a `PagiValidationError` the server answers with
 * 500), which also refuses a computed protocol-relative target (`//host`, an open redirect).
 *
 * @throws PagiValidationError for a bad target, status or option (at factory time).
 * @example
 * export default urlMap({ '/old-blog': redirect('https://blog.example.com/', { status: 301 }) });
 */
export function redirect(to: string | RedirectTarget, options: RedirectOptions = {}): App {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}'`);
  }
  const status = options.status ?? 302;
  if (!STATUSES.has(status)) fail(`expected status 301, 302, 303, 307 or 308, got ${JSON.stringify(status)}`);
  const preserveQuery = options.preserveQuery ?? true;
  if (typeof preserveQuery !== 'boolean')
    fail(`expected preserveQuery to be a boolean, got ${typeof preserveQuery}`);
  const fixed = typeof to === 'function' ? undefined : checkLocation(to, false, 'redirect()');

  return async function redirectApp(scope, _receive, send) {
    if (scope.type === 'lifespan') return;
    const target = fixed ?? checkLocation(await (to as RedirectTarget)(scope), true, 'redirect() target');
    const location = preserveQuery && scope.query_string ? withQuery(target, scope.query_string) : target;
    await respond(scope, send as never, status, { headers: { location } });
  };
}
