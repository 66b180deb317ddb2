/**
 * Conditional GET (RFC 9110 §13) on the response the app produces: the request's If-Match,
 * If-None-Match, If-Modified-Since and If-Unmodified-Since are evaluated (by `@pagi/spec`'s one
 * definition, §13.2.2 order) against the response's ETag and Last-Modified when it starts; a 2xx
 * becomes a 304 (or a 412) and the app's body is dropped unread. Only GET and HEAD: for another
 * method the app has already acted by the time it responds, so its preconditions must be
 * evaluated by the app before acting (with `evaluatePreconditions` from `@pagi/spec`).
 */
import {
  type ConditionalHeaders,
  evaluatePreconditions,
  getHeader,
  requestConditions,
  type HeaderList,
  type HttpResponseStartEvent,
  type HttpScope,
  type Middleware,
  NOT_MODIFIED_HEADERS,
  PagiValidationError,
  type Send,
} from '@pagi/spec';
import { defineMiddleware } from '@pagi/spec/middleware';

/** No options yet; the object is accepted (and checked) so adding one later is not a break. */
export type ConditionalGetOptions = Record<string, never>;

const FAILED_BODY = 'Precondition Failed';
const FAILED_HEADERS: HeaderList = [
  ['content-type', 'text/plain; charset=utf-8'],
  ['content-length', String(FAILED_BODY.length)],
];

/**
 * The `send` for one conditional request: the start decides; after a replaced start every body
 * and trailers event of the app is dropped without being read (a `file`/`fh` body is never opened).
 */
function conditionalSend(scope: HttpScope, conditions: ConditionalHeaders, send: Send<'http'>): Send<'http'> {
  let state: 'waiting' | 'passing' | 'replaced' = 'waiting';
  return async (event) => {
    if (state === 'passing') return send(event);
    if (state === 'replaced') {
      if (event.type === 'http.response.body' || event.type === 'http.response.trailers') return;
      return send(event);
    }
    if (event.type !== 'http.response.start') return send(event);
    const outcome = decide(scope.method, conditions, event);
    if (outcome === 'proceed') {
      state = 'passing';
      return send(event);
    }
    state = 'replaced';
    if (outcome === 'not-modified') {
      // RFC 9110 §15.4.5: the validators and caching headers the 200 would have sent, no body.
      const headers = (event.headers ?? []).filter(([n]) => NOT_MODIFIED_HEADERS.has(n));
      await send({ type: 'http.response.start', status: 304, headers });
      await send({ type: 'http.response.body' });
      return;
    }
    await send({ type: 'http.response.start', status: 412, headers: FAILED_HEADERS });
    await send({ type: 'http.response.body', body: scope.method === 'HEAD' ? '' : FAILED_BODY });
  };
}

function decide(method: string, conditions: ConditionalHeaders, start: HttpResponseStartEvent) {
  // §13.2.1: preconditions are ignored when the response would not otherwise be a 2xx.
  if (start.status < 200 || start.status > 299) return 'proceed';
  const headers = start.headers ?? [];
  return evaluatePreconditions(method, conditions, {
    etag: getHeader(headers, 'etag'),
    lastModified: getHeader(headers, 'last-modified'),
  });
}

/**
 * Answers GET/HEAD conditional requests from the response's own validators: a 2xx becomes
 * 304 Not Modified (If-None-Match weakly matching, else If-Modified-Since not modified) or
 * 412 Precondition Failed (If-Match not strongly matching, else If-Unmodified-Since modified).
 * Put it outside whatever sets the ETag (e.g. `compose(conditionalGet(), etag())`).
 *
 * @throws PagiValidationError for an unknown option (when applied).
 * @example
 * const app = compose(conditionalGet(), etag())(router.app);
 */
export function conditionalGet(options: ConditionalGetOptions = {}): Middleware {
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    throw new PagiValidationError(`conditionalGet(): unknown option '${key}' (it takes none)`);
  }
  // Only HTTP GET/HEAD with a condition is touched; everything else passes through untouched.
  return defineMiddleware('conditionalGet', {
    http: (scope, receive, send, app) => {
      if (scope.method !== 'GET' && scope.method !== 'HEAD') return app(scope, receive, send);
      const conditions = requestConditions(scope.headers);
      if (conditions === undefined) return app(scope, receive, send);
      return app(scope, receive, conditionalSend(scope, conditions, send));
    },
  });
}
