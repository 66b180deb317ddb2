import type { WebSocketDisconnectEvent } from '@pagi/spec';

/**
 * What the app is told when `ws` fails the connection (RFC 6455 §7.1.7, protocol.md §5.9).
 * ws names the failure by a stable `code`; the close code it puts on the wire follows from it.
 * An oversized message (bytes or fragments) is a limit, not a framing error: `body_too_large`.
 *
 * @example
 * closeFromWsError(Object.assign(new Error('x'), { code: 'WS_ERR_INVALID_UTF8' }));
 * // { type: 'websocket.disconnect', code: 1007, reason: 'protocol_error' }
 */
export function closeFromWsError(error: Error): WebSocketDisconnectEvent {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'WS_ERR_INVALID_UTF8')
    return { type: 'websocket.disconnect', code: 1007, reason: 'protocol_error' };
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return { type: 'websocket.disconnect', code: 1009, reason: 'body_too_large' };
  }
  // More fragments than wsMaxFragments (or socket chunks than ws buffers for one frame): ws sends
  // 1008. A per-message input limit like the size one, but not of size, so not 1009.
  if (code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') {
    return { type: 'websocket.disconnect', code: 1008, reason: 'body_too_large' };
  }
  return { type: 'websocket.disconnect', code: 1002, reason: 'protocol_error' };
}
