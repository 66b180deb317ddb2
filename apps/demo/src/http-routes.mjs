import { getParams } from '@pagi/router';
import { Request, Response } from '@pagi/helpers';
import { chatPage } from './page.mjs';
import { roomOf } from './room-of.mjs';

/**
 * Turns `(req) => Response` into a PAGI app, so each route reads as one small function.
 *
 * @example
 * router.get('/ping', respond(() => Response.text('pong')));
 */
export function respond(handler) {
  return async function respondWith(scope, receive, send) {
    const response = await handler(new Request(scope, receive));
    await response.send(scope, receive, send);
  };
}

/** `GET /`: the chat page. */
export const home = respond(() => Response.html(chatPage));

/** `GET /api/health`: liveness plus a few numbers about the room. */
export const health = respond((req) => {
  const room = roomOf(req.scope);
  const startedAt = req.scope.state.startedAt;
  return Response.json({
    status: 'ok',
    uptime: Math.round((Date.now() - startedAt) / 1000),
    online: room.online,
    messages: room.messageCount,
  }).header('cache-control', 'no-store');
});

/** `GET /hello/:name`: a route parameter, decoded by the router. */
export const hello = respond((req) => Response.text(`Hello, ${getParams(req.scope).name}!\n`));
