import { PagiError, type PagiErrorOptions } from '@pagi/spec';

/** The stable codes of {@link SessionError}. */
export type SessionErrorCode =
  | 'PAGI_ERR_SESSION_STORE'
  | 'PAGI_ERR_SESSION_READ_ONLY'
  | 'PAGI_ERR_SESSION_TOO_LARGE';

/**
 * A session failure: the store did not answer or failed (`PAGI_ERR_SESSION_STORE`), a write to a
 * read-only WebSocket/SSE session (`PAGI_ERR_SESSION_READ_ONLY`), a cookie-store session over its
 * size limit (`PAGI_ERR_SESSION_TOO_LARGE`).
 */
export class SessionError extends PagiError {
  declare readonly code: SessionErrorCode;
  constructor(code: SessionErrorCode, message: string, options?: PagiErrorOptions) {
    super(code, message, options);
  }
}

/** Wraps a store failure (or a store that took too long) as `PAGI_ERR_SESSION_STORE`. */
export function storeFailed(what: string, cause: unknown): SessionError {
  if (cause instanceof SessionError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SessionError('PAGI_ERR_SESSION_STORE', `expected the session store to ${what}, got: ${reason}`, {
    cause,
  });
}
