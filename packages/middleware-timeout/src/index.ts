import { type Middleware, PagiValidationError } from '@pagi/spec';
import { defineMiddleware } from '@pagi/spec/middleware';
import { Deadline, type TimeoutAnswer } from './deadline.js';

export { RequestTimeoutError } from './errors.js';

export interface TimeoutOptions {
  /** Milliseconds from the call to the complete response. Required, > 0. */
  ms: number;
  /** Status when the deadline passes before the response started. Default `503`. */
  status?: number;
  /** Plain-text body of that answer. Default `'Service Unavailable: the request took too long'`. */
  body?: string;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['ms', 'status', 'body']);
// setTimeout's limit: larger values fire at once.
const MAX_MS = 2 ** 31 - 1;

/**
 * A deadline per HTTP request. When it passes before the response started, the client gets a
 * 503 (or `status`); after the response started, the middleware throws a `RequestTimeoutError`
 * so the server aborts the response (protocol D-12). Either way the inner app's `receive()`
 * then reports `http.disconnect` and its `send()` calls (pending ones too) resolve as no-ops, so
 * an app that checks for disconnects stops, and one that does not cannot write any more.
 * One timer per request, cleared when the response completes or the app returns.
 * WebSocket and SSE connections are long-lived by design and pass through untouched.
 *
 * @throws PagiValidationError for an unknown option, or `ms`/`status` out of range (when applied).
 * @example
 * const app = compose(timeout({ ms: 10_000 }))(router.app);
 */
export function timeout(options: TimeoutOptions): Middleware {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('timeout(): expected an options object with `ms`');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`timeout(): unknown option '${key}'`);
  }
  const { ms } = options;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > MAX_MS) {
    throw new PagiValidationError(
      `timeout(): expected ms to be a number of milliseconds in 1–${MAX_MS}, got ${String(ms)}`,
    );
  }
  const status = options.status ?? 503;
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new PagiValidationError(`timeout(): expected status 400–599, got ${String(status)}`);
  }
  const answer: TimeoutAnswer = {
    ms,
    status,
    body: options.body ?? 'Service Unavailable: the request took too long',
  };
  return defineMiddleware('timeout', {
    http: (scope, receive, send, app) => new Deadline(scope, receive, send, answer).run(app),
  });
}
