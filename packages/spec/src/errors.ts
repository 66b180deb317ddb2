/**
 * Typed errors with stable codes (house style rule 4). Detect them with {@link isPagiError} or
 * by `code`, never by a bare `instanceof`: two copies of this package may be installed side by side.
 */

const kPagiError = Symbol.for('pagi.error');

/** Every stable error code this package throws. Codes are never reused once retired. */
export type PagiErrorCode =
  | 'PAGI_ERR_VALIDATION'
  | 'PAGI_ERR_STATE'
  | 'PAGI_ERR_UNKNOWN_EVENT'
  | 'PAGI_ERR_UNSUPPORTED_SCOPE'
  | (string & {});

export interface PagiErrorOptions {
  cause?: unknown;
}

/** Base class of every PAGI error. */
export class PagiError extends Error {
  readonly code: PagiErrorCode;
  readonly [kPagiError] = true;

  constructor(code: PagiErrorCode, message: string, options?: PagiErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** A field is missing, of the wrong type, or carries unsafe bytes (a header with CR/LF/NUL, …). */
export class PagiValidationError extends PagiError {
  constructor(message: string, options?: PagiErrorOptions) {
    super('PAGI_ERR_VALIDATION', message, options);
  }
}

/** An event arrived in the wrong order for its scope (D-6): body before start, start twice, … */
export class PagiStateError extends PagiError {
  constructor(message: string, options?: PagiErrorOptions) {
    super('PAGI_ERR_STATE', message, options);
  }
}

/** An event type foreign to the scope, or an extension event the scope did not advertise. */
export class PagiUnknownEventError extends PagiError {
  constructor(message: string, options?: PagiErrorOptions) {
    super('PAGI_ERR_UNKNOWN_EVENT', message, options);
  }
}

/** What an app throws for a `scope.type` it does not serve (protocol.md §1.3). */
export class UnsupportedScopeError extends PagiError {
  readonly scopeType: string;
  constructor(scopeType: string, options?: PagiErrorOptions) {
    super('PAGI_ERR_UNSUPPORTED_SCOPE', `unsupported scope type '${scopeType}'`, options);
    this.scopeType = scopeType;
  }
}

/** true for any error thrown by a `@pagi/*` package, whichever copy of it created the error. */
export function isPagiError(value: unknown): value is PagiError {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kPagiError] === true
  );
}

/**
 * Lifespan startup did not succeed: the app sent `lifespan.startup.failed`, threw, declined when
 * lifespan was required, or did not answer in time. The server's `listen()` and the test client's
 * `startup()` reject with it; `message` is the app's text (or says what happened).
 *
 * @example
 * try { await server.listen(); } catch (e) { if (isPagiError(e) && e.code === 'PAGI_ERR_LIFESPAN_STARTUP') … }
 */
export class LifespanStartupError extends PagiError {
  constructor(message: string, options?: PagiErrorOptions) {
    super('PAGI_ERR_LIFESPAN_STARTUP', message === '' ? 'lifespan startup failed' : message, options);
  }
}
