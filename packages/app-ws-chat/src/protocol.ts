/**
 * The chat's JSON message set, as the upstream `PAGI::App::WebSocket::Chat` defines it (see the
 * README's protocol table), and the validation rules for what clients send.
 */

/** What a client may send: `{ type, ... }` with one of these types. */
export type ClientMessage =
  | { type: 'message'; message: string; room?: string }
  | { type: 'join'; room?: string }
  | { type: 'leave'; room: string }
  | { type: 'nick'; username: string }
  | { type: 'list'; room: string }
  | { type: 'rooms' };

/** What the server sends. `user_id` is a string (unique across workers), `timestamp` Unix seconds. */
export type ServerMessage =
  | { type: 'welcome'; user_id: string; username: string; room: string }
  | { type: 'message'; room: string; user_id: string; username: string; message: string; timestamp: number }
  | { type: 'user_joined'; room: string; user_id: string; username: string }
  | { type: 'user_left'; room: string; user_id: string; username: string }
  | { type: 'joined'; room: string }
  | { type: 'left'; room: string }
  | { type: 'nick'; username: string }
  | { type: 'nick'; room: string; user_id: string; username: string; previous: string }
  | { type: 'users'; room: string; users: string[] }
  | { type: 'rooms'; rooms: { name: string; count: number }[] }
  | { type: 'error'; message: string };

export const CLIENT_TYPES: ReadonlySet<string> = new Set([
  'message',
  'join',
  'leave',
  'nick',
  'list',
  'rooms',
]);

/** Upstream's nickname rule (`[\w-]`, at most 20), enforced instead of silently stripped. ASCII only. */
export const NICKNAME = /^[A-Za-z0-9_-]{1,20}$/;

/** Room names: what a channel and group name can carry safely, short enough to show. */
export const ROOM = /^[A-Za-z0-9_.-]{1,64}$/;

/** Parses one client frame; a string is the error message to answer with. */
export function parseClientMessage(text: string): Record<string, unknown> | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'expected a JSON object, got invalid JSON';
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return `expected a JSON object, got ${Array.isArray(data) ? 'an array' : typeof data === 'object' ? 'null' : typeof data}`;
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string' || !CLIENT_TYPES.has(type)) {
    return `expected "type" to be one of ${[...CLIENT_TYPES].join(', ')}, got ${JSON.stringify(type)?.slice(0, 40) ?? 'none'}`;
  }
  return data as Record<string, unknown>;
}
