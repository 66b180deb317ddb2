import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsEventStream } from './accepts-event-stream.js';

describe('acceptsEventStream (D-14)', () => {
  it.each([
    ['text/event-stream', true],
    ['Text/Event-Stream', true],
    ['text/html, text/event-stream;q=0.5', true],
    ['text/event-stream;q=0', false],
    ['text/event-stream; q=0.0', false],
    ['*/*', false],
    ['text/*', false],
    [undefined, false],
    ['application/json', false],
  ])('%s → %s', (accept, expected) => {
    expect(acceptsEventStream(accept)).toBe(expected);
  });

  it('never accepts a header without the literal media type (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        if (!s.toLowerCase().includes('text/event-stream')) expect(acceptsEventStream(s)).toBe(false);
      }),
    );
  });
});
