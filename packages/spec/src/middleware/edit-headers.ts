import type {
  HeaderList,
  HttpResponseStartEvent,
  SseHttpResponseStartEvent,
  SseStartEvent,
  WebSocketAcceptEvent,
  WebSocketHttpResponseStartEvent,
} from '../types.js';
import { KitResponseStart } from './kit-start.js';

/** Every event that opens a response and carries its headers. */
export type StartEvent =
  | HttpResponseStartEvent
  | SseStartEvent
  | SseHttpResponseStartEvent
  | WebSocketAcceptEvent
  | WebSocketHttpResponseStartEvent;

function isStart(event: { type: string }): event is StartEvent {
  switch (event.type) {
    case 'http.response.start':
    case 'sse.start':
    case 'sse.http.response.start':
    case 'websocket.accept':
    case 'websocket.http.response.start':
      return true;
    default:
      return false;
  }
}

/**
 * Wraps `send` so `edit` can change the headers of the event that starts the response:
 * `http.response.start`, `sse.start`, `websocket.accept` and the denial/decline starts
 * (`websocket.http.response.start`, `sse.http.response.start`). `edit` gets the headers (never
 * `undefined`), the event and `arg`, and returns the new list, or `undefined` for no change; the
 * new list goes out in a new event, so the app's object is left as it was. Every other event
 * reaches the inner `send` unchanged, and its promise (backpressure) is returned as it is.
 *
 * `arg` is handed to `edit` as it is: a per-request value (an ID, a cookie) can reach an `edit`
 * built once, so a request costs one closure (the wrapped `send`), not two.
 *
 * @example
 * const wrapped = editHeaders(send, (headers) => appendVary(setHeader(headers, 'access-control-allow-origin', origin), 'Origin'));
 * // built once, per-request value as `arg`:
 * const stamp = (headers: HeaderList, _start: StartEvent, id: string) => appendHeader(headers, 'x-id', id);
 * const perRequest = editHeaders(send, stamp, id);
 */
export function editHeaders<E extends { type: string }, A = undefined>(
  send: (event: E) => Promise<void>,
  edit: (headers: HeaderList, start: StartEvent, arg: A) => HeaderList | undefined,
  arg?: A,
): (event: E) => Promise<void> {
  return function editedSend(event: E): Promise<void> {
    if (!isStart(event)) return send(event);
    const headers = edit(event.headers ?? [], event, arg as A);
    if (headers === undefined) return send(event);
    // A start the kit made has no fields but its own: constructed anew, not spread.
    return send(
      (event instanceof KitResponseStart
        ? new KitResponseStart(event.status, headers, event.trailers)
        : { ...event, headers }) as E,
    );
  };
}
