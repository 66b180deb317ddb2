import { PagiError, type PagiErrorOptions } from '@pagi/spec';

/** Every stable code a {@link WrapLegacyError} carries. Codes are never reused once retired. */
export type WrapLegacyErrorCode =
  /** The wrapped handler threw, rejected, or its `res`/`Response` stream failed. */
  | 'PAGI_ERR_LEGACY_HANDLER'
  /** A CGI program printed a header block that is malformed or larger than `maxHeaderSize`. */
  | 'PAGI_ERR_CGI_HEADERS'
  /** A CGI program ran longer than `timeout` and was killed. */
  | 'PAGI_ERR_CGI_TIMEOUT'
  /** A CGI program could not be started, or exited before printing its header block. */
  | 'PAGI_ERR_CGI_EXIT';

/**
 * The one error class of `@pagi/wrap-legacy`. It is what the bridges hand to their `logger`
 * (with the original error as `cause`) and what a bridge app rejects with when a response that
 * has already started must be aborted (D-12). Detect it by `code` or with `isPagiError`.
 *
 * @example
 * const app = fromNodeHandler(handler, {
 *   logger: (message, error) => {
 *     if (isPagiError(error) && error.code === 'PAGI_ERR_LEGACY_HANDLER') report(error.cause);
 *   },
 * });
 */
export class WrapLegacyError extends PagiError {
  declare readonly code: WrapLegacyErrorCode;

  constructor(code: WrapLegacyErrorCode, message: string, options?: PagiErrorOptions) {
    super(code, message, options);
  }
}
