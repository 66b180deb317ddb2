/**
 * The order of an `http` scope's outbound events (protocol.md §5.1, D-6), defined once: the send
 * validator (`createSendValidator`) and `@pagi/server`'s response writer both ask this table, so
 * what one accepts the other accepts.
 *
 *   init      --start-->            started
 *   started   --body (more: true)-> started
 *   started   --final body-->       complete, or body-done when start said trailers: true
 *   body-done --trailers-->         complete
 *
 * A final body is `more` false or absent, or a `file`/`fh` body (those always finish the body,
 * §4.1.4). `http.fullflush` is allowed in every state and is not part of the order.
 */
import type { PagiStateError } from './errors.js';
import { HttpEvents } from './event-types.js';
import { expectedBefore, notAllowed } from './internal/send-common.js';

/** States and event kinds of the HTTP send order, as small integers (table indexes). */
export const HttpSendOrder = Object.freeze({
  /** Nothing sent yet. */
  INIT: 0,
  /** `http.response.start` accepted; body chunks may follow. */
  STARTED: 1,
  /** The final body was sent and trailers were announced. */
  BODY_DONE: 2,
  /** Nothing more may be sent. */
  COMPLETE: 3,
  /** Event kind: `http.response.start`. */
  START: 0,
  /** Event kind: `http.response.body` with `more: true` (and no file). */
  BODY: 1,
  /** Event kind: the final `http.response.body` (`more` false/absent, or a file/fh body). */
  FINAL_BODY: 2,
  /** Event kind: `http.response.trailers`. */
  TRAILERS: 3,
} as const);

const STATE_NAMES = ['init', 'started', 'body-done', 'complete'] as const;
const X = -1;
/**
 * next = NEXT[(trailers ? 16 : 0) + state * 4 + event]; -1 = refused. A compiled table: one
 * indexed load per send on the hot path, no branches on the state.
 */
// biome-ignore format: the table reads as rows of state × event
const NEXT = Int8Array.from([
  // trailers: false   START  BODY  FINAL_BODY  TRAILERS
  /* init      */      1,     X,    X,          X,
  /* started   */      X,     1,    3,          X,
  /* body-done */      X,     X,    X,          X,
  /* complete  */      X,     X,    X,          X,
  // trailers: true
  /* init      */      1,     X,    X,          X,
  /* started   */      X,     1,    2,          X,
  /* body-done */      X,     X,    X,          3,
  /* complete  */      X,     X,    X,          X,
]);

/**
 * The state after an event of kind `event` in `state`, or -1 when §5.1 forbids it. `trailers` is
 * what the accepted `http.response.start` announced (false before it).
 *
 * @example
 * const next = httpSendNext(HttpSendOrder.INIT, HttpSendOrder.START, false); // STARTED
 */
export function httpSendNext(state: number, event: number, trailers: boolean): number {
  return NEXT[(trailers ? 16 : 0) + state * 4 + event] ?? X;
}

/**
 * The `PagiStateError` for an event {@link httpSendNext} refused, naming what was expected.
 *
 * @example
 * if (httpSendNext(state, kind, trailers) < 0) throw httpSendOrderError(state, kind, trailers);
 */
export function httpSendOrderError(state: number, event: number, trailers: boolean): PagiStateError {
  const name = STATE_NAMES[state] ?? String(state);
  const start = `'${HttpEvents.responseStart}'`;
  switch (event) {
    case HttpSendOrder.START:
      return notAllowed(HttpEvents.responseStart, 'twice: the response has already started', name);
    case HttpSendOrder.BODY:
    case HttpSendOrder.FINAL_BODY:
      if (state === HttpSendOrder.INIT) return expectedBefore(start, HttpEvents.responseBody, name);
      return notAllowed(HttpEvents.responseBody, 'after the final body', name);
    default: {
      const type = HttpEvents.responseTrailers;
      if (state === HttpSendOrder.INIT) return expectedBefore(start, type, name);
      if (!trailers) return notAllowed(type, `unless ${start} declared trailers: true`, name);
      if (state === HttpSendOrder.STARTED)
        return expectedBefore(`the final '${HttpEvents.responseBody}' (more: false)`, type, name);
      return notAllowed(type, 'after the response is complete', name);
    }
  }
}
