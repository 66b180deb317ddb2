import {
  createSendValidator,
  type Middleware,
  PagiStateError,
  PagiValidationError,
  type Scope,
  validateScope,
} from '@pagi/spec';
import { named } from '@pagi/spec/middleware';

export interface LintOptions {
  /** `'warn'`: log each violation and carry on; `'throw'`: throw it to the inner app. Default `'warn'`. */
  mode?: 'warn' | 'throw';
  /** Where warnings go. Default `console.warn`. */
  logger?: (message: string, error: Error) => void;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['mode', 'logger']);

/**
 * Checks the inner app against the PAGI spec with `@pagi/spec`'s own validators, for every scope
 * type: the scope it is given (`validateScope`), each event it sends (`createSendValidator`:
 * order, fields, headers, extensions), and, for HTTP, that the response was complete when the
 * app returned (a missing `await` on `send()` is the usual cause). In `warn` mode violations are
 * logged and the events still go to the server, which enforces the protocol itself; in `throw`
 * mode the violating `send()` throws (and so does the call, for a bad scope or an unfinished
 * response). A development tool: it adds a validator per connection.
 *
 * @throws PagiValidationError for an unknown option or mode (when applied).
 * @example
 * const app = process.env.NODE_ENV === 'development' ? compose(lint({ mode: 'throw' }))(router.app) : router.app;
 */
export function lint(options: LintOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`lint(): unknown option '${key}'`);
  }
  const mode = options.mode ?? 'warn';
  if (mode !== 'warn' && mode !== 'throw') {
    throw new PagiValidationError(`lint(): expected mode 'warn' or 'throw', got ${JSON.stringify(mode)}`);
  }
  if (options.logger !== undefined && typeof options.logger !== 'function') {
    throw new PagiValidationError('lint(): expected `logger` to be a function');
  }
  const logger = options.logger ?? ((message: string) => console.warn(message));

  /** Warns about, or throws, one violation. */
  function violation(scope: Scope, error: Error): void {
    if (mode === 'throw') throw error;
    try {
      logger(
        `[lint] ${scope.type} ${String((scope as { path?: unknown }).path ?? '')}: ${error.message}`,
        error,
      );
    } catch {
      // A failing logger must not break the app under test.
    }
  }

  return named('lint', (app) =>
    named('lint', async (scope, receive, send) => {
      try {
        validateScope(scope);
      } catch (error) {
        violation(scope, error as Error);
      }
      let validator: ReturnType<typeof createSendValidator>;
      try {
        validator = createSendValidator(scope);
      } catch (error) {
        // An unknown scope type: nothing to check its sends against.
        violation(scope, error as Error);
        return app(scope, receive, send);
      }
      const checked = (event: never): Promise<void> => {
        try {
          validator.check(event);
        } catch (error) {
          try {
            violation(scope, error as Error);
          } catch (thrown) {
            // 'throw' mode: the app's send() rejects, and the event never reaches the server.
            return Promise.reject(thrown);
          }
        }
        return send(event);
      };
      await app(scope, receive, checked as typeof send);
      if (scope.type === 'http' && !validator.finished) {
        violation(
          scope,
          new PagiStateError(
            `expected the app to complete the HTTP response before returning, got it returning in state '${validator.state}' (did you forget to await send()?)`,
          ),
        );
      }
    }),
  );
}
