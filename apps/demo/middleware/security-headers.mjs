import { appendHeader, hasHeader, PagiValidationError, wrapSend } from '@pagi/spec';

const DEFAULT_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * Adds security headers to every HTTP response that does not set them itself.
 *
 * @example
 * const app = securityHeaders(router.app, { headers: { 'x-frame-options': 'SAMEORIGIN' } });
 */
export function securityHeaders(app, options = {}) {
  // Options are resolved and checked once, here, not on every request.
  const extra = Object.entries({ ...DEFAULT_HEADERS, ...options.headers }).map(([name, value]) => {
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new PagiValidationError(
        `expected a header value without CR, LF or NUL for ${name}, got ${JSON.stringify(value)}`,
      );
    }
    return [name.toLowerCase(), value];
  });

  return async function securityHeadersMiddleware(scope, receive, send) {
    // Only HTTP responses get the headers; lifespan, websocket and sse pass through untouched.
    if (scope.type !== 'http') return app(scope, receive, send);

    const wrappedSend = wrapSend(send, (event, inner) => {
      if (event.type !== 'http.response.start') return inner(event); // body chunks stream on
      let headers = event.headers ?? [];
      for (const [name, value] of extra) {
        if (!hasHeader(headers, name)) headers = appendHeader(headers, name, value);
      }
      return inner({ ...event, headers }); // a new event: the app's object stays as it was
    });
    return app(scope, receive, wrappedSend); // errors from the app propagate as they are
  };
}
