/**
 * The `text/event-stream` wire format (WHATWG HTML §9.2.6, protocol.md §4.4.4–§4.4.5).
 *
 * TEMPORARY second copy: the only other one is inside `@pagi/server` (`src/sse/wire-format.ts`,
 * not exported). It is moving into `@pagi/spec`; this file has the same names and signatures so
 * that the swap is an import change. Delete it then.
 */

const LINE_BREAK = /\r\n|\r|\n/;

/** The fields of one `sse.send` event that reach the wire. */
export interface SseMessage {
  data: string;
  event?: string | undefined;
  id?: string | undefined;
  retry?: number | undefined;
}

/** One dispatch; `data` split on every line break, at least one `data:` line. */
export function formatSseMessage(message: SseMessage): string {
  let out = '';
  if (message.event !== undefined && message.event !== '') out += `event: ${message.event}\n`;
  for (const line of message.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  if (message.id !== undefined && message.id !== '') out += `id: ${message.id}\n`;
  if (message.retry !== undefined) out += `retry: ${message.retry}\n`;
  return `${out}\n`;
}

/** A comment block: every line starts with `:`, then the blank line. */
export function formatSseComment(comment: string): string {
  let out = '';
  for (const line of comment.split(LINE_BREAK)) out += line.startsWith(':') ? `${line}\n` : `:${line}\n`;
  return `${out}\n`;
}
