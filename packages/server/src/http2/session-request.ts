import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { HeaderList } from '@pagi/spec';

/**
 * Prepares an HTTP/2 request for the SSE and WebSocket sessions (src/sse/session.ts,
 * src/websocket/session.ts), which are written against
 * node:http's request: its `socket` and `rawHeaders` are replaced on this one request object.
 *
 * - `socket` is a view of the connection's socket (addresses, TLS details) whose lifetime is the
 *   stream's: `end()` does nothing (the stream's end is the SSE end; the connection carries on
 *   with its other streams), `destroyed`/`writable` follow the stream, listeners go on the
 *   stream. node's own `req.socket` on HTTP/2 is a guard proxy that throws on such calls.
 * - `rawHeaders` are the scope's header list (pseudo-headers out, `:authority` as `host`).
 */
export function prepareSessionRequest(
  req: Http2ServerRequest,
  socket: Socket,
  stream: ServerHttp2Stream,
  headers: HeaderList,
): IncomingMessage {
  const view = Object.create(socket) as Socket;
  Object.defineProperties(view, {
    destroyed: { get: () => stream.destroyed },
    writable: { get: () => stream.writable && !stream.closed },
    setNoDelay: { value: () => socket.setNoDelay(true) },
    end: { value: () => view },
    destroy: { value: () => view },
    on: {
      value: (event: string, listener: (...args: unknown[]) => void) => {
        stream.on(event, listener);
        return view;
      },
    },
    off: {
      value: (event: string, listener: (...args: unknown[]) => void) => {
        stream.off(event, listener);
        return view;
      },
    },
  });
  const raw: string[] = [];
  for (const [name, value] of headers) raw.push(name, value);
  Object.defineProperty(req, 'socket', { value: view, configurable: true });
  Object.defineProperty(req, 'rawHeaders', { value: raw, configurable: true });
  return req as unknown as IncomingMessage;
}
