import type { App, Middleware } from '@pagi/spec';

/**
 * Wraps `app` in `middleware`, the first element outermost: a request meets `middleware[0]`
 * first. Called once per route when the router compiles, never per request.
 */
export function compose(middleware: readonly Middleware[], app: App): App {
  let out = app;
  for (let i = middleware.length - 1; i >= 0; i--) out = middleware[i]!(out);
  return out;
}
