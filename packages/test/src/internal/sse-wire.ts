/** One event as an `EventSource` would dispatch it (WHATWG HTML §9.2.6). */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
  retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * What a browser makes of an `sse.send`: the server writes one `data:` line per line of `data`
 * (splitting on CRLF, LF or CR) and the browser joins them back with LF; `event` and `id` are
 * written only when non-empty (protocol.md §4.4.4).
 */
export function toClientEvent(send: { data: string; event?: string; id?: string; retry?: number }): SseEvent {
  const out: SseEvent = { data: send.data.split(LINE_BREAK).join('\n') };
  if (send.event !== undefined && send.event !== '') out.event = send.event;
  if (send.id !== undefined && send.id !== '') out.id = send.id;
  if (send.retry !== undefined) out.retry = send.retry;
  return out;
}

/**
 * The comment lines a client parser sees for an `sse.comment`: each line goes on the wire with a
 * leading `:` (added when missing, §4.4.5), and a parser reports the text after that colon.
 */
export function toClientComments(comment: string): string[] {
  return comment.split(LINE_BREAK).map((line) => (line.startsWith(':') ? line.slice(1) : line));
}
