import { WebSocket } from '@pagi/helpers';
import { isPagiError } from '@pagi/spec';
import { roomOf } from './room-of.mjs';

/** Longest chat message accepted, in UTF-16 code units; longer ones close with 1009. */
export const MAX_MESSAGE_LENGTH = 2000;

/**
 * `WS /ws/chat?name=Ada`: joins the room, then every text frame is broadcast to every member as
 * `{ type: 'message', from, text, at }`. The first frame a client gets is
 * `{ type: 'welcome', name, online, history }`.
 *
 * @example
 * router.websocket('/ws/chat', chatSocket);
 */
export async function chatSocket(scope, receive, send) {
  const room = roomOf(scope);
  const ws = new WebSocket(scope, receive, send);
  try {
    await ws.accept();
  } catch (error) {
    // The client gave up during the handshake: nothing to clean up, nothing worth logging.
    if (isPagiError(error) && error.code === 'PAGI_ERR_DISCONNECTED') return;
    throw error;
  }
  const name = new URLSearchParams(scope.query_string).get('name');
  // Taken before joining: a message broadcast meanwhile reaches us directly, not twice.
  const history = room.history;
  // A closed socket makes sendJson throw; the room ignores failed deliveries (see broadcast).
  const member = room.join(name, (message) => ws.sendJson(message));
  try {
    await ws.sendJson({ type: 'welcome', name: member.name, online: room.online, history });
    for await (const message of ws) {
      if (typeof message !== 'string') {
        await ws.close(1003, 'text frames only');
        break;
      }
      if (message.length > MAX_MESSAGE_LENGTH) {
        await ws.close(1009, `at most ${MAX_MESSAGE_LENGTH} characters`);
        break;
      }
      if (message.trim() !== '') await room.broadcast(member, message);
    }
  } finally {
    // Runs on a normal close, a dropped connection and an error alike.
    room.leave(member);
  }
}
