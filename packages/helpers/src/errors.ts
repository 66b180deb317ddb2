/**
 * Errors thrown by `@pagi/helpers`. Every class carries a stable `code` (house style rule 4);
 * detect them with `isPagiError(e)` and `e.code`, never with a bare `instanceof`.
 */
import { PagiError, type PagiErrorOptions } from '@pagi/spec';
import type { HeaderInit } from './internal/headers.js';

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
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
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
  /** Extra response headers (`Allow`, `WWW-Authenticate`, …). */
  headers?: HeaderInit;
}

/**
 * An HTTP-facing failure: the endpoint classes turn it into a response with `status`,
 * a plain-text `detail` body and `headers`.
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

/**
 * A WebSocket-facing failure: the WebSocket endpoint closes the socket with `closeCode`
 * and `reason`.
 *
 * @example
 * throw new WebSocketError(1008, 'not allowed');
 */
export class WebSocketError extends PagiError {
  readonly closeCode: number;
  readonly reason: string;

  constructor(closeCode: number, reason = '', options?: PagiErrorOptions) {
    super('PAGI_ERR_WEBSOCKET', `WebSocket error ${closeCode}${reason ? `: ${reason}` : ''}`, options);
    this.closeCode = closeCode;
    this.reason = reason;
  }
}

/**
 * The client went away while the helper was waiting for data from it (a request body cut short,
 * a WebSocket message that never came).
 *
 * @example
 * try { await req.bytes(); } catch (e) { if (isPagiError(e) && e.code === 'PAGI_ERR_DISCONNECTED') return; throw e; }
 */
export class ClientDisconnectError extends PagiError {
  /** WebSocket close code when known. */
  readonly closeCode: number | undefined;
  readonly reason: string;

  constructor(message: string, details: { closeCode?: number; reason?: string } = {}) {
    super('PAGI_ERR_DISCONNECTED', message);
    this.closeCode = details.closeCode;
    this.reason = details.reason ?? '';
  }
}
