/**
 * One shape for every middleware: a factory `name(options?)` returns `(app) => app`
 * (a {@link Middleware}), and the app it returns dispatches on `scope.type`, narrowing the scope,
 * `receive` and `send` together, and hands every scope type it has no handler for to the inner app
 * untouched (house style rule 2).
 */
import type { App, Middleware, ProtocolApp, ProtocolMap, Receive, ScopeType, Send } from '../types.js';
import { named } from './named.js';

/**
 * What a middleware does for one scope type. `app` is the inner app, typed for that protocol, so
 * calling it with the narrowed `scope`, `receive` and `send` (or wrapped ones) needs no cast.
 */
export type ScopeHandler<T extends ScopeType> = (
  scope: ProtocolMap[T]['scope'],
  receive: Receive<T>,
  send: Send<T>,
  app: ProtocolApp<T>,
) => Promise<unknown> | unknown;

type InnerApps = ProtocolApp<'http'> &
  ProtocolApp<'websocket'> &
  ProtocolApp<'sse'> &
  ProtocolApp<'lifespan'>;

/** A handler per scope type the middleware cares about; the others pass through untouched. */
export type ScopeHandlers = { [T in ScopeType]?: ScopeHandler<T> };

/**
 * Builds a middleware from per-scope-type handlers. The returned middleware and the app it
 * returns are both named `name`, for stack traces.
 *
 * @example
 * export function poweredBy(value = 'pagi'): Middleware {
 *   return defineMiddleware('poweredBy', {
 *     http: (scope, receive, send, app) =>
 *       app(scope, receive, editHeaders(send, (headers) => setHeader(headers, 'x-powered-by', value))),
 *   });
 * }
 */
export function defineMiddleware(name: string, handlers: ScopeHandlers): Middleware {
  const { http, websocket, sse, lifespan } = handlers;
  return named(name, (app: App): App => {
    // The inner app, seen per protocol: the same function, only its static type differs (an App
    // takes every protocol's events, so giving it one protocol's `send` is always sound).
    const inner = app as unknown as InnerApps;
    return named(name, (scope, receive, send) => {
      switch (scope.type) {
        case 'http':
          if (http !== undefined) return http(scope, receive as Receive<'http'>, send as Send<'http'>, inner);
          break;
        case 'websocket':
          if (websocket !== undefined) {
            return websocket(scope, receive as Receive<'websocket'>, send as Send<'websocket'>, inner);
          }
          break;
        case 'sse':
          if (sse !== undefined) return sse(scope, receive as Receive<'sse'>, send as Send<'sse'>, inner);
          break;
        case 'lifespan':
          if (lifespan !== undefined) {
            return lifespan(scope, receive as Receive<'lifespan'>, send as Send<'lifespan'>, inner);
          }
          break;
      }
      return app(scope, receive, send);
    });
  });
}
