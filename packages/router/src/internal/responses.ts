/**
 * The router's own answers (404, 405, automatic OPTIONS, trailing-slash redirect), each spelled
 * in the event vocabulary of the scope type it answers: `http.response.*` for HTTP,
 * `sse.http.response.*` to decline an SSE request (protocol.md §4.4.3), and for a WebSocket the
 * denial extension when advertised (§4.3), else a `websocket.close` before accept, which the
 * server turns into a bare 403 (§4.2.6).
 */
import type { ConnectionScope, HeaderList, Send } from '@pagi/spec';
import { respond as kitRespond } from '@pagi/spec/middleware';

/** Sends one complete response with a short plain-text body, through the kit's `respond`. */
function respond(
  scope: ConnectionScope,
  send: Send,
  status: number,
  headers: HeaderList,
  body: string,
): Promise<void> {
  return kitRespond(scope, send, status, { headers, body });
}

/** The default not-found answer for every connection scope type. */
export function notFound(scope: ConnectionScope, send: Send): Promise<void> {
  return respond(scope, send, 404, [], 'Not Found');
}

/** 405 with `Allow` (RFC 9110 §15.5.6: a 405 MUST carry Allow). */
export function methodNotAllowed(scope: ConnectionScope, send: Send, allow: string): Promise<void> {
  return respond(scope, send, 405, [['allow', allow]], 'Method Not Allowed');
}

/** Automatic OPTIONS: 204 with `Allow` (RFC 9110 §9.3.7). */
export function options(scope: ConnectionScope, send: Send, allow: string): Promise<void> {
  return respond(scope, send, 204, [['allow', allow]], '');
}

/** A trailing-slash redirect; `location` is already a byte string (raw path + query). */
export function redirect(
  scope: ConnectionScope,
  send: Send,
  status: number,
  location: string,
): Promise<void> {
  return respond(scope, send, status, [['location', location]], '');
}
