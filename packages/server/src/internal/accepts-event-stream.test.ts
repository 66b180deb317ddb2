import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsEventStream as specAcceptsEventStream } from '@pagi/spec';
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

  it('agrees with the spec function on any input, whatever the case (property)', () => {
    const piece = fc.constantFrom(
      'text/event-stream',
      'TEXT/EVENT-STREAM',
      'Event-Stream',
      '-',
      ';q=0',
      ',',
      ' ',
      'text/',
      'x-event-stream',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 8 }), (parts) => {
        const accept = parts.join('');
        expect(acceptsEventStream(accept)).toBe(specAcceptsEventStream(accept));
      }),
      { numRuns: 2000 },
    );
  });
});
