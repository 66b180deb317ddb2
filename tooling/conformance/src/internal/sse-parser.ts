import type { ConformanceSseEvent } from '../transport.js';

/** What the parser reports: a dispatched event, or a comment line (text after the colon). */
export type SseParserOutput =
  | { kind: 'event'; event: ConformanceSseEvent }
  | { kind: 'comment'; text: string };

/**
 * An incremental `text/event-stream` parser after WHATWG HTML §9.2.6, reduced to what a test
 * needs: lines end in CRLF, LF or CR (a CR at the end of one chunk may pair with an LF at the
 * start of the next); `data` lines are joined with LF; a blank line dispatches when any `data`
 * line was seen. Unlike a browser it reports `id` and `retry` on the event whose block carried
 * them rather than keeping a last-event-id, so a test sees exactly what each block said.
 *
 * @example
 * const parser = new SseParser();
 * parser.feed('data: a\ndata: b\n\n'); // [{ kind: 'event', event: { data: 'a\nb' } }]
 */
export class SseParser {
  private buffer = '';
  /** The previous chunk ended in CR, so an LF opening this one belongs to that line break. */
  private pendingCr = false;
  private data: string[] | undefined;
  private eventType = '';
  private id: string | undefined;
  private retry: number | undefined;

  /** Parses `chunk` and returns everything it completed, in order. */
  feed(chunk: string): SseParserOutput[] {
    let text = chunk;
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseParserOutput[] = [];
    while (true) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (match === null) break;
      // A lone CR at the very end may be the first half of a CRLF split across chunks.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) this.pendingCr = true;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line, out);
    }
    return out;
  }

  private line(line: string, out: SseParserOutput[]): void {
    if (line === '') {
      this.dispatch(out);
      return;
    }
    if (line.startsWith(':')) {
      out.push({ kind: 'comment', text: line.slice(1) });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') (this.data ??= []).push(value);
    else if (field === 'event') this.eventType = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^[0-9]+$/.test(value)) this.retry = Number(value);
  }

  private dispatch(out: SseParserOutput[]): void {
    if (this.data !== undefined) {
      const event: ConformanceSseEvent = { data: this.data.join('\n') };
      if (this.eventType !== '') event.event = this.eventType;
      if (this.id !== undefined && this.id !== '') event.id = this.id;
      if (this.retry !== undefined) event.retry = this.retry;
      out.push({ kind: 'event', event });
    }
    this.data = undefined;
    this.eventType = '';
    this.id = undefined;
    this.retry = undefined;
  }
}
