import { appendHeader, wrapSend } from '@pagi/spec';

/**
 * Times each HTTP request: adds `server-timing: app;dur=<ms>` (time to the response head) and
 * reports `{ method, path, status, duration }` once the app has finished, even if it threw.
 *
 * @example
 * const app = requestTiming(router.app, { onTiming: (t) => console.log(t.method, t.path, t.status, t.duration) });
 */
export function requestTiming(app, options = {}) {
  const now = options.now ?? (() => performance.now());
  const onTiming = options.onTiming ?? (() => {});

  return async function requestTimingMiddleware(scope, receive, send) {
    if (scope.type !== 'http') return app(scope, receive, send);

    const start = now();
    let status = 0;
    const wrappedSend = wrapSend(send, (event, inner) => {
      if (event.type !== 'http.response.start') return inner(event);
      status = event.status;
      const dur = (now() - start).toFixed(1);
      return inner({
        ...event,
        headers: appendHeader(event.headers ?? [], 'server-timing', `app;dur=${dur}`),
      });
    });
    // A shallow clone: inner code can read the start time, and the server's scope is not touched.
    const timedScope = { ...scope, 'timing.start': start };
    try {
      return await app(timedScope, receive, wrappedSend);
    } finally {
      // No catch: an error still reaches the server (or the test client) unchanged.
      onTiming({ method: scope.method, path: scope.path, status, duration: now() - start });
    }
  };
}
