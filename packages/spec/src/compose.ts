import { PagiValidationError } from './errors.js';
import type { App, Middleware } from './types.js';

/**
 * Folds several middleware into one. The first listed is the outermost: it sees the request
 * first and the response last, as if written `a(b(c(app)))`. The fold happens once per app it is
 * applied to (at startup), so a request pays one closure per layer and nothing more. Every
 * middleware has one shape, a factory `name(options?)` that returns `(app) => app`, so a stack
 * reads like Hono's.
 *
 * @example
 * const app = compose(cors({ origin: 'https://app.example' }), compress(), session({ secret }))(router.app);
 * @throws PagiValidationError when an argument is not a function.
 */
export function compose(...middleware: Middleware[]): Middleware {
  const layers = middleware.slice();
  for (let i = 0; i < layers.length; i++) {
    if (typeof layers[i] !== 'function') {
      throw new PagiValidationError(
        `compose() expected middleware functions, got ${typeof layers[i]} at position ${i}`,
      );
    }
  }
  return function composed(app: App): App {
    let wrapped = app;
    for (let i = layers.length - 1; i >= 0; i--) wrapped = layers[i]!(wrapped);
    return wrapped;
  };
}
