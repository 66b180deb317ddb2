import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../internal/context.js';
import { SseSession } from './session.js';

/**
 * Serves one Server-Sent Events request. The server calls it for a request that D-14 classifies
 * as `sse` (a GET whose `Accept` lists `text/event-stream`, not an upgrade); the app gets an `sse`
 * scope, `sse.request`, and writes the stream with `sse.start` / `sse.send` / `sse.comment` /
 * `sse.keepalive` / `sse.close`, or declines with `sse.http.response.*`.
 *
 * @example
 * server.on('request', (req, res) => {
 *   if (req.method === 'GET' && acceptsEventStream(req.headers.accept)) handleSse(ctx, req, res);
 * });
 */
export function handleSse(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  try {
    if (ctx.stopping) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end('server shutting down\n');
      return;
    }
    new SseSession(ctx, req, res).run();
  } catch (error) {
    // A bug here must cost one request, never the process.
    ctx.logger.error('sse request failed', error);
    res.destroy();
  }
}
