/**
 * `HttpError`: an HTTP-facing failure with a status, a short plain-text detail and extra headers.
 * It lives in `@pagi/spec` so middleware (which may depend on nothing else) can throw and answer
 * with it; `@pagi/helpers` re-exports it. `respond()` from `@pagi/spec/middleware` turns one into
 * a response for any connection scope.
 */
import { PagiError, type PagiErrorOptions } from './errors.js';
import type { HeaderInit } from './headers-validate.js';

/** The reason phrases used when an {@link HttpError} has no `detail`. */
const STATUS_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The standard reason phrase for `status`, or `'Error'` when there is none in the table.
 *
 * @example
 * statusPhrase(404) // 'Not Found'
 */
export function statusPhrase(status: number): string {
  return STATUS_PHRASES[status] ?? 'Error';
}

export interface HttpErrorOptions extends PagiErrorOptions {
  /** Text for the client; defaults to the status phrase. */
  detail?: string;
  /** Extra response headers (`Allow`, `WWW-Authenticate`, `Retry-After`, …). */
  headers?: HeaderInit;
}

/**
 * An HTTP-facing failure: `respond(scope, send, error)` and the helpers' endpoint classes turn it
 * into a response with `status`, a plain-text `detail` body and `headers`.
 *
 * @example
 * throw new HttpError(404, { detail: 'no such user' });
 */
export class HttpError extends PagiError {
  readonly status: number;
  readonly detail: string;
  readonly headers: HeaderInit | undefined;

  constructor(status: number, options: HttpErrorOptions = {}) {
    const detail = options.detail ?? statusPhrase(status);
    super('PAGI_ERR_HTTP', `HTTP ${status}: ${detail}`, options);
    this.status = status;
    this.detail = detail;
    this.headers = options.headers;
  }
}
