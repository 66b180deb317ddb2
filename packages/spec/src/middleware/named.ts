/**
 * Gives `fn` the name `name` (what stack traces and profiles show) and returns it. Called once
 * when a middleware is applied, never per request.
 */
export function named<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  Object.defineProperty(fn, 'name', { value: name, configurable: true });
  return fn;
}
