/**
 * The `text/event-stream` wire format (WHATWG HTML §9.2.6, protocol.md §4.4.4–§4.4.5).
 * Pure string functions: the session writes their output to the socket unchanged.
 */

/** Every line break the event-stream parser recognises: CRLF, lone LF, lone CR. */
const LINE_BREAK = /\r\n|\r|\n/;

/** The fields of one `sse.send` event that reach the wire. */
export interface SseMessage {
  data: string;
  event?: string | undefined;
  id?: string | undefined;
  retry?: number | undefined;
}

/**
 * Formats one dispatch. `data` is split on every line break so that a lone CR cannot hide a line
 * from the client and CRLF leaves no stray `\r`; at least one `data:` line is always written,
 * even for `''`, because a browser only dispatches an event that saw a data field.
 * `event`/`id` must already be free of CR and LF (the validator rejects them).
 *
 * @example
 * formatSseMessage({ data: 'a\nb', event: 'tick', id: '7' });
 * // 'event: tick\ndata: a\ndata: b\nid: 7\n\n'
 */
export function formatSseMessage(message: SseMessage): string {
  let out = '';
  if (message.event !== undefined && message.event !== '') out += `event: ${message.event}\n`;
  const { data } = message;
  // Fast path: most payloads are one line.
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) {
    out += `data: ${data}\n`;
  } else {
    for (const line of data.split(LINE_BREAK)) out += `data: ${line}\n`;
  }
  if (message.id !== undefined && message.id !== '') out += `id: ${message.id}\n`;
  if (message.retry !== undefined) out += `retry: ${message.retry}\n`;
  return `${out}\n`;
}

/**
 * Formats a comment block: every line starts with `:` (added when the line does not already
 * start with one, protocol.md §4.4.5), followed by the blank line. `''` gives `:\n\n`.
 *
 * @example
 * formatSseComment('ping'); // ':ping\n\n'
 */
export function formatSseComment(comment: string): string {
  let out = '';
  for (const line of comment.split(LINE_BREAK)) out += line.startsWith(':') ? `${line}\n` : `:${line}\n`;
  return `${out}\n`;
}
