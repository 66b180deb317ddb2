import { appendHeader, defineMiddleware, editHeaders, scopeKey, withKey } from '@pagi/spec/middleware';

/** Inner apps read the request's start time with `TIMING_START.get(scope)`. */
export const TIMING_START = scopeKey('timing.start');

/**
 * Times each HTTP request: adds `server-timing: app;dur=<ms>` (time to the response head) and
 * reports `{ method, path, status, duration }` once the app has finished, even if it threw.
 *
 * @example
 * const app = compose(requestTiming({ onTiming: (t) => console.log(t.method, t.path, t.status, t.duration) }))(router.app);
 */
export function requestTiming(options = {}) {
  const now = options.now ?? (() => performance.now());
  const onTiming = options.onTiming ?? (() => {});

  return defineMiddleware('requestTiming', {
    http: async (scope, receive, send, app) => {
      const start = now();
      let status = 0;
      const timedSend = editHeaders(send, (headers, event) => {
        status = event.status ?? 200;
        return appendHeader(headers, 'server-timing', `app;dur=${(now() - start).toFixed(1)}`);
      });
      try {
        // A shallow copy with one typed key: the server's scope is not touched.
        return await app(withKey(scope, TIMING_START, start), receive, timedSend);
      } finally {
        // No catch: an error still reaches the server (or the test client) unchanged.
        onTiming({ method: scope.method, path: scope.path, status, duration: now() - start });
      }
    },
  });
}
