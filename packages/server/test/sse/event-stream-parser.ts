/**
 * A small parser that follows the WHATWG "interpret an event stream" algorithm (HTML §9.2.6),
 * so the tests read the server's output the way a browser's EventSource would.
 */
export interface ParsedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

export interface ParsedStream {
  events: ParsedEvent[];
  comments: string[];
  retry: number | undefined;
}

export function createEventStreamParser(): { feed(chunk: string): void; result: ParsedStream } {
  const result: ParsedStream = { events: [], comments: [], retry: undefined };
  let buffer = '';
  let data = '';
  let type = '';
  let lastEventId = '';
  let sawCr = false;

  const dispatch = (): void => {
    if (data === '') {
      type = '';
      return;
    }
    // The algorithm strips one trailing LF from the data buffer.
    result.events.push({ type: type === '' ? 'message' : type, data: data.slice(0, -1), lastEventId });
    data = '';
    type = '';
  };

  const line = (text: string): void => {
    if (text === '') {
      dispatch();
      return;
    }
    if (text.startsWith(':')) {
      result.comments.push(text.slice(1));
      return;
    }
    const colon = text.indexOf(':');
    let field = text;
    let value = '';
    if (colon !== -1) {
      field = text.slice(0, colon);
      value = text.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
    }
    if (field === 'event') type = value;
    else if (field === 'data') data += `${value}\n`;
    else if (field === 'id') {
      if (!value.includes('\0')) lastEventId = value;
    } else if (field === 'retry') {
      if (/^[0-9]+$/.test(value)) result.retry = Number(value);
    }
  };

  return {
    result,
    feed(chunk: string) {
      for (const char of chunk) {
        if (sawCr) {
          sawCr = false;
          if (char === '\n') continue; // CRLF is one line break
        }
        if (char === '\r' || char === '\n') {
          if (char === '\r') sawCr = true;
          line(buffer);
          buffer = '';
        } else buffer += char;
      }
    },
  };
}
