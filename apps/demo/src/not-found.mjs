import { EventStream, Response, WebSocket } from '@pagi/helpers';
import { UnsupportedScopeError } from '@pagi/spec';

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>404: nothing here</h1><p><a href="/">Back to the chat</a></p></body></html>
`;

/**
 * The router's fallback for every protocol: an HTML 404 page for HTTP, a refused handshake
 * (HTTP 404 where the server supports it) for WebSocket, and a declined stream for SSE.
 *
 * @example
 * new Router({ notFound });
 */
export async function notFound(scope, receive, send) {
  switch (scope.type) {
    case 'http':
      return Response.html(page, { status: 404 }).send(scope, receive, send);
    case 'websocket':
      return new WebSocket(scope, receive, send).deny(404, 'no WebSocket endpoint here\n', {
        'content-type': 'text/plain; charset=utf-8',
      });
    case 'sse':
      return new EventStream(scope, receive, send).decline(404, 'no event stream here\n', {
        'content-type': 'text/plain; charset=utf-8',
      });
    default:
      throw new UnsupportedScopeError(scope.type);
  }
}
