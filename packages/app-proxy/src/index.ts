/**
 * `proxy(options)`: a reverse proxy as a PAGI app, on undici (HTTP) and ws (WebSocket). The
 * backend comes only from configuration; the request chooses at most among the allow-listed
 * ones.
 */
import { type App, type ConnectionScope, type Receive, type Send, UnsupportedScopeError } from '@pagi/spec';
import { respond } from '@pagi/spec/middleware';
import { ProxyContext } from './context.js';
import { proxyHttp } from './http-proxy.js';
import { type ProxyOptions, resolveOptions } from './options.js';
import { proxySse } from './sse-proxy.js';
import { proxyWebSocket } from './websocket-proxy.js';

export type { ProxyOptions } from './options.js';

/** A proxy app; `close()` closes its connection pool (lifespan shutdown does it too). */
export type ProxyApp = App & { close(): Promise<void> };

/**
 * A PAGI app that forwards every `http`, `sse` and `websocket` scope to a backend.
 *
 * @throws PagiValidationError for an unknown option or a bad value, naming it.
 * @example
 * const app = proxy({ target: 'http://127.0.0.1:8080' });
 * const byHost = proxy({ targets: { api: 'http://10.0.0.2:8080' }, route: (s) => (hostOf(s) === 'api.example.com' ? 'api' : undefined) });
 */
export function proxy(options: ProxyOptions): ProxyApp {
  const ctx = new ProxyContext(resolveOptions(options));
  const app = async (scope: Parameters<App>[0], receive: Receive, send: Send): Promise<void> => {
    if (scope.type === 'lifespan') {
      // The pool lives as long as the worker: closed at shutdown, so no socket outlives it.
      for (;;) {
        const event = await receive();
        if (event.type === 'lifespan.startup') await send({ type: 'lifespan.startup.complete' });
        else if (event.type === 'lifespan.shutdown') {
          await ctx.close();
          await send({ type: 'lifespan.shutdown.complete' });
          return;
        } else return;
      }
    }
    if (scope.type !== 'http' && scope.type !== 'sse' && scope.type !== 'websocket') {
      throw new UnsupportedScopeError((scope as { type: string }).type);
    }
    const backend = ctx.options.pick(scope as ConnectionScope);
    if (backend === undefined) {
      // Not on the allow-list (or no route): nothing is connected to (RFC 9110 §15.5.20).
      return respond(scope, send, 421, { body: 'Misdirected Request: no backend for this request' });
    }
    if (scope.type === 'http') return proxyHttp(ctx, backend, scope, receive, send);
    if (scope.type === 'sse') return proxySse(ctx, backend, scope, receive, send);
    return proxyWebSocket(ctx, backend, scope, receive, send);
  };
  return Object.assign(app, { close: () => ctx.close() });
}
