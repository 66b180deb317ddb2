/**
 * An incremental `text/event-stream` parser (WHATWG HTML §9.2.6): text in, the events an
 * EventSource would dispatch out, so the proxy can relay them as `sse.send` / `sse.comment`
 * the moment each one is complete.
 *
 * Two liberties, both invisible to a browser: an `id`/`retry` given in a block without `data`
 * (which dispatches nothing) rides on the next event instead of being written alone — a browser
 * keeps the last event ID across events anyway; and a comment inside an unfinished event is
 * dropped rather than relayed, since relaying it would end that event early.
 */

export type StreamItem =
  | { kind: 'event'; data: string; event?: string; id?: string; retry?: number }
  | { kind: 'comment'; comment: string };

/** Raised when one event grows past the size limit: the relay ends the stream. */
export class EventTooLargeError extends Error {
  readonly code = 'PROXY_SSE_EVENT_TOO_LARGE';
  constructor(limit: number) {
    super(`an event from the backend's event stream is larger than ${limit} bytes`);
    this.name = 'EventTooLargeError';
  }
}

export class EventStreamParser {
  private partial = '';
  private skipLf = false;
  private started = false;
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private retry: number | undefined;
  private pendingFields = false;
  private size = 0;

  constructor(private readonly maxEventSize: number) {}

  /** Parses `text` (already UTF-8-decoded) and pushes every item it completes onto `out`. */
  push(text: string, out: StreamItem[]): void {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // one leading BOM is ignored
    }
    let start = 0;
    let i = 0;
    if (this.skipLf && text.charCodeAt(0) === 0x0a) start = i = 1;
    this.skipLf = false;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      const line = this.partial === '' ? text.slice(start, i) : this.partial + text.slice(start, i);
      this.partial = '';
      if (c === 0x0d) {
        if (i + 1 === text.length)
          this.skipLf = true; // a CRLF split across two chunks
        else if (text.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
      this.line(line, out);
    }
    if (start < text.length) {
      this.partial += text.slice(start);
      if (this.size + this.partial.length > this.maxEventSize)
        throw new EventTooLargeError(this.maxEventSize);
    }
  }

  private line(line: string, out: StreamItem[]): void {
    if (line === '') {
      this.dispatch(out);
      return;
    }
    this.size += line.length + 1;
    if (this.size > this.maxEventSize) throw new EventTooLargeError(this.maxEventSize);
    if (line.charCodeAt(0) === 0x3a /* : */) {
      if (!this.pendingFields && this.data.length === 0) out.push({ kind: 'comment', comment: line });
      this.size -= line.length + 1;
      return;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (name) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        this.pendingFields = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d{1,15}$/.test(value)) this.retry = Number(value);
        break;
      default:
      // Unknown fields are ignored, as a browser does.
    }
  }

  private dispatch(out: StreamItem[]): void {
    this.size = 0;
    this.pendingFields = false;
    if (this.data.length === 0) {
      this.event = '';
      return;
    }
    const item: StreamItem = { kind: 'event', data: this.data.join('\n') };
    if (this.event !== '') item.event = this.event;
    if (this.id !== undefined && this.id !== '') item.id = this.id;
    if (this.retry !== undefined) item.retry = this.retry;
    this.id = undefined;
    this.retry = undefined;
    this.data = [];
    this.event = '';
    out.push(item);
  }
}
