/**
 * `HttpError`: an HTTP-facing failure with a status, a short plain-text detail and extra headers.
 * It lives in `@pagi/spec` so middleware (which may depend on nothing else) can throw and answer
 * with it; `@pagi/helpers` re-exports it. `respond()` from `@pagi/spec/middleware` turns one into
 * a response for any connection scope.
 */
import { PagiError, type PagiErrorOptions } from './errors.js';
import type { HeaderInit } from './headers-validate.js';

/**
 * The reason phrases of every status code in the IANA HTTP Status Code Registry (RFC 9110 §15
 * and the RFCs it lists), used when an {@link HttpError} has no `detail` and by apps that answer
 * with a bare status.
 */
const STATUS_PHRASES: Record<number, string> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  511: 'Network Authentication Required',
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
