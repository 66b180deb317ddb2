import { PagiValidationError } from '@pagi/spec';
import { appendHeader, defineMiddleware, editHeaders, hasHeader } from '@pagi/spec/middleware';

const DEFAULT_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * Adds security headers to every HTTP response that does not set them itself.
 *
 * @example
 * const app = compose(securityHeaders({ headers: { 'x-frame-options': 'SAMEORIGIN' } }))(router.app);
 */
export function securityHeaders(options = {}) {
  // Options are resolved and checked once, here, not on every request.
  const extra = Object.entries({ ...DEFAULT_HEADERS, ...options.headers }).map(([name, value]) => {
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new PagiValidationError(
        `expected a header value without CR, LF or NUL for ${name}, got ${JSON.stringify(value)}`,
      );
    }
    return [name.toLowerCase(), value];
  });

  // Only HTTP responses get the headers; lifespan, websocket and sse pass through untouched.
  return defineMiddleware('securityHeaders', {
    http: (scope, receive, send, app) => {
      const withHeaders = editHeaders(send, (headers) => {
        for (const [name, value] of extra) {
          if (!hasHeader(headers, name)) headers = appendHeader(headers, name, value);
        }
        return headers; // a new list in a new event: the app's object stays as it was
      });
      return app(scope, receive, withHeaders); // errors from the app propagate as they are
    },
  });
}
