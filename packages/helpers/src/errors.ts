/**
 * Errors thrown by `@pagi/helpers`. Every class carries a stable `code` (house style rule 4);
 * detect them with `isPagiError(e)` and `e.code`, never with a bare `instanceof`.
 */
import { PagiError, type PagiErrorOptions } from '@pagi/spec';

// `HttpError` lives in `@pagi/spec`, where middleware (which depend on nothing else) can throw
// and answer with it; re-exported so `@pagi/helpers` users keep importing it from here.
export { HttpError, type HttpErrorOptions, statusPhrase } from '@pagi/spec';

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
