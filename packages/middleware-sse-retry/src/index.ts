import { type Middleware, PagiValidationError } from '@pagi/spec';
import { defineMiddleware, scopeKey, withKey, wrapSend } from '@pagi/spec/middleware';

/** Inner apps read the reconnect delay in force with `SSE_RETRY.get(scope)` (milliseconds). */
export const SSE_RETRY = scopeKey<number>('pagi.sse.retry');

/** The largest delay taken: one day. A longer one is almost surely a unit mistake (seconds × 1000 twice). */
export const MAX_RETRY_MS = 86_400_000;

export interface SseRetryOptions {
  /** The reconnect delay sent to clients, in milliseconds. Default `3000`. */
  retry?: number;
  /** Stamp `retry` on every `sse.send` that has none, not only the first. Default `false`. */
  everyEvent?: boolean;
}

const KNOWN: ReadonlySet<string> = new Set(['retry', 'everyEvent']);

/**
 * Tells SSE clients how long to wait before reconnecting (the `retry` field, WHATWG HTML
 * §9.2.6): it is added to the first `sse.send` of each connection that has none (or to every one,
 * with `everyEvent`). An event on which the app set `retry` itself is left as it is. Only `sse`
 * scopes are touched; the delay is also handed to inner apps as {@link SSE_RETRY}.
 *
 * Why on the first event rather than in an event of its own right after `sse.start`, as the
 * upstream middleware did: an `sse.send` always carries a `data` line, and a browser dispatches a
 * `message` for it, so a "retry-only" event would reach the app's `onmessage` as an empty message.
 *
 * @throws PagiValidationError for an unknown option or a bad value, when called.
 * @example
 * const app = compose(sseRetry({ retry: 10_000 }))(router.app);
 */
export function sseRetry(options: SseRetryOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`sseRetry(): unknown option '${key}'`);
  }
  const retry = options.retry ?? 3000;
  if (!Number.isInteger(retry) || retry < 0 || retry > MAX_RETRY_MS) {
    throw new PagiValidationError(
      `sseRetry(): expected retry to be an integer number of milliseconds from 0 to ${MAX_RETRY_MS}, got ${String(retry)}`,
    );
  }
  if (options.everyEvent !== undefined && typeof options.everyEvent !== 'boolean') {
    throw new PagiValidationError(
      `sseRetry(): expected everyEvent to be a boolean, got ${typeof options.everyEvent}`,
    );
  }
  const every = options.everyEvent ?? false;

  return defineMiddleware('sseRetry', {
    sse: (scope, receive, send, app) => {
      let pending = true;
      const stamped = wrapSend(send, (event, inner) => {
        if (event.type !== 'sse.send' || !pending) return inner(event);
        if (!every) pending = false;
        // A new event: the app's object stays as it was.
        return inner(event.retry === undefined ? { ...event, retry } : event);
      });
      return app(withKey(scope, SSE_RETRY, retry), receive, stamped);
    },
  });
}
