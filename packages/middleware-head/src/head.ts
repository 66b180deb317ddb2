/**
 * HEAD as GET (RFC 9110 §9.3.2: HEAD is GET without content, with the same header fields): the
 * inner app sees `method: 'GET'`, its start goes out unchanged (Content-Length, ETag and all), and
 * its body is dropped unread — one empty final body event is sent in its place.
 */
import {
  type HttpResponseStartEvent,
  type HttpScope,
  type Middleware,
  PagiValidationError,
  type Send,
} from '@pagi/spec';
import { defineMiddleware } from '@pagi/spec/middleware';

/** No options yet; the object is accepted (and checked) so adding one later is not a break. */
export type HeadOptions = Record<string, never>;

const EMPTY_FINAL = { type: 'http.response.body' } as const;

/** The `send` of one HEAD request: the start passes, body and trailers are swallowed. */
function headSend(send: Send<'http'>): Send<'http'> {
  let done = false;
  return async (event) => {
    switch (event.type) {
      case 'http.response.start':
        // No body goes out, so no trailers either: drop the promise of them.
        if (event.trailers === true) {
          const { trailers: _dropped, ...start } = event;
          return send(start as HttpResponseStartEvent);
        }
        return send(event);
      case 'http.response.body':
        // Dropped unread (a `file`/`fh` body is never opened); the final one becomes empty.
        if (event.more === true || done) return;
        done = true;
        return send(EMPTY_FINAL);
      case 'http.response.trailers':
        return;
      default:
        return send(event);
    }
  };
}

/**
 * Runs HEAD requests through the app as GET and drops the body, keeping every header. Put it
 * outside middleware that compute headers from the body (`etag`, `contentLength`), so a HEAD
 * response carries the same ETag and Content-Length as the GET.
 *
 * @throws PagiValidationError for any option (when applied).
 * @example
 * const app = compose(head(), conditionalGet(), etag(), contentLength())(router.app);
 */
export function head(options: HeadOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    throw new PagiValidationError(`head(): unknown option '${key}' (it takes none)`);
  }
  return defineMiddleware('head', {
    http: (scope, receive, send, app) => {
      if (scope.method !== 'HEAD') return app(scope, receive, send);
      // Overwriting a key the scope has keeps V8's fast spread path (see scope-key.ts); the
      // caller's scope is not changed (protocol.md §1.7).
      const asGet: HttpScope = { ...scope };
      asGet.method = 'GET';
      return app(asGet, receive, headSend(send));
    },
  });
}
