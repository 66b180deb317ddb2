import { PagiError, type PagiErrorOptions } from '@pagi/spec';

/** Every stable code a {@link RouterError} carries. Codes are never reused once retired. */
export type RouterErrorCode =
  /** Two routes with an identical pattern for the same method (or scope type), or two mounts at one prefix. */
  | 'PAGI_ERR_ROUTE_CONFLICT'
  /** A pattern that cannot be parsed: bad parameter name, unknown type, bad regex, misplaced wildcard. */
  | 'PAGI_ERR_ROUTE_SYNTAX'
  /** An HTTP method that is not a token (RFC 9110 §9.1). */
  | 'PAGI_ERR_ROUTE_METHOD'
  /** A handler or middleware that is not a function. */
  | 'PAGI_ERR_ROUTE_HANDLER'
  /** A duplicate route name, or `url()` called with a name nobody registered. */
  | 'PAGI_ERR_ROUTE_NAME'
  /** `url()` got a missing parameter, or a value its constraint rejects. */
  | 'PAGI_ERR_ROUTE_PARAM'
  /** A route, mount or middleware added after the router was compiled (first request or `compile()`). */
  | 'PAGI_ERR_ROUTER_FROZEN';

/**
 * The one error class of `@pagi/router`. Every problem with a route table is reported when the
 * route is registered (or when `url()` is called), never while a request is being dispatched.
 * Detect it by `code` or with `isPagiError`, not with `instanceof` alone (two copies may be installed).
 *
 * @example
 * try {
 *   router.get('/users/:id', a);
 *   router.get('/users/:userId', b);
 * } catch (err) {
 *   if (isPagiError(err) && err.code === 'PAGI_ERR_ROUTE_CONFLICT') console.error(err.message);
 * }
 */
export class RouterError extends PagiError {
  declare readonly code: RouterErrorCode;

  constructor(code: RouterErrorCode, message: string, options?: PagiErrorOptions) {
    super(code, message, options);
  }
}
