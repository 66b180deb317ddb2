import type { Receive, ReceiveEvent, ScopeType, Send, SendEvent } from './types.js';

/**
 * Wraps `send` so middleware can see, change, drop or multiply outbound events: `onEvent` gets
 * each event and the inner `send`, and decides what reaches it. This is how middleware edits a
 * response without buffering it (house style rule 2).
 *
 * @example
 * const addHeader: Middleware = (app) => async function addHeader(scope, receive, send) {
 *   if (scope.type !== 'http') return app(scope, receive, send);
 *   return app(scope, receive, wrapSend(send, (event, inner) =>
 *     inner(event.type === 'http.response.start'
 *       ? { ...event, headers: appendHeader(event.headers ?? [], 'x-powered-by', 'pagi') }
 *       : event)));
 * };
 */
export function wrapSend<T extends ScopeType>(
  send: Send<T>,
  onEvent: (event: SendEvent<T>, send: Send<T>) => Promise<void>,
): Send<T> {
  return function wrappedSend(event: SendEvent<T>): Promise<void> {
    return onEvent(event, send);
  };
}

/**
 * Wraps `receive` so middleware can see or replace each inbound event. The wrapper keeps D-15:
 * calling it again while an earlier call is still pending returns that same promise, so no
 * event is pulled twice from the inner `receive` and none is lost after a timed-out race.
 *
 * @example
 * let size = 0;
 * const counted = wrapReceive(receive, (event) => {
 *   if (event.type === 'http.request') size += event.body.byteLength;
 *   return event;
 * });
 */
export function wrapReceive<T extends ScopeType>(
  receive: Receive<T>,
  onEvent: (event: ReceiveEvent<T>) => ReceiveEvent<T> | Promise<ReceiveEvent<T>>,
): Receive<T> {
  let pending: Promise<ReceiveEvent<T>> | undefined;
  return function wrappedReceive(): Promise<ReceiveEvent<T>> {
    if (pending !== undefined) return pending;
    const current = receive().then(onEvent);
    pending = current;
    // Cleared in a reaction registered before any caller's, so a caller that resumes after
    // this promise settled and calls again starts a fresh receive.
    const clear = (): void => {
      if (pending === current) pending = undefined;
    };
    current.then(clear, clear);
    return current;
  };
}
