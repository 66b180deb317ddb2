import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSseComment, formatSseMessage } from '@pagi/spec';
import { createEventStreamParser } from './event-stream-parser.js';

function parse(text: string) {
  const parser = createEventStreamParser();
  parser.feed(text);
  return parser.result;
}

const fieldText = fc.string({ unit: 'grapheme' }).filter((s) => !/[\r\n]/.test(s));

describe('SSE wire format', () => {
  it('splits data on LF, CRLF and lone CR, one data: line each', () => {
    expect(formatSseMessage({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it("writes a data: line even for ''", () => {
    expect(formatSseMessage({ data: '' })).toBe('data: \n\n');
    expect(parse(formatSseMessage({ data: '' })).events).toEqual([
      { type: 'message', data: '', lastEventId: '' },
    ]);
  });

  it('writes event, data, id and retry in that order', () => {
    expect(formatSseMessage({ data: 'x', event: 'tick', id: '42', retry: 1500 })).toBe(
      'event: tick\ndata: x\nid: 42\nretry: 1500\n\n',
    );
  });

  it('prefixes every comment line with a colon, keeping a colon already there', () => {
    expect(formatSseComment('ping')).toBe(':ping\n\n');
    expect(formatSseComment(':ping')).toBe(':ping\n\n');
    expect(formatSseComment('')).toBe(':\n\n');
    expect(formatSseComment('a\r\nb\rc')).toBe(':a\n:b\n:c\n\n');
  });

  it('round-trips any data through an EventSource-style parser (line breaks become LF)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'é', ' ', ':', '\n', '\r', '✓', 'data: ') }),
        fc.option(
          fieldText.filter((s) => s !== ''),
          { nil: undefined },
        ),
        fc.option(
          fieldText.filter((s) => s !== '' && !s.includes('\0')),
          { nil: undefined },
        ),
        (data, event, id) => {
          const parsed = parse(formatSseMessage({ data, event, id }));
          expect(parsed.events).toHaveLength(1);
          expect(parsed.events[0]).toEqual({
            type: event ?? 'message',
            data: data.replace(/\r\n|\r/g, '\n'),
            lastEventId: id ?? '',
          });
          expect(parsed.comments).toEqual([]);
        },
      ),
    );
  });

  it('never lets a comment become an event', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', ':', 'data: x', ' ') }), (comment) => {
        const parsed = parse(formatSseComment(comment));
        expect(parsed.events).toEqual([]);
      }),
    );
  });
});
