import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsEncoding, acceptsEventStream, preferredEncoding } from './accept.js';

const otherRange = fc.constantFrom(
  'text/html',
  'application/json;q=0.9',
  '*/*',
  '*/*;q=0.8',
  'text/*',
  'text/plain; charset=utf-8',
  'application/xhtml+xml',
  'text/event-streams',
  'text/x-event-stream',
  'image/webp;q=1.0',
);
const positiveQ = fc.constantFrom(
  '',
  ';q=1',
  '; q=0.5',
  ';Q=0.001',
  ';q=1.000',
  ' ;q=0.9 ;level=1',
  ';charset=utf-8',
);
const zeroQ = fc.constantFrom(';q=0', '; q=0.0', ';Q=0.000', ';q=0 ');
const eventStream = fc.constantFrom(
  'text/event-stream',
  'Text/Event-Stream',
  'TEXT/EVENT-STREAM',
  '  text/event-stream ',
);

function join(parts: string[], glue: string): string {
  return parts.join(glue);
}

describe('acceptsEventStream', () => {
  it.each([
    ['text/event-stream', true],
    ['TEXT/EVENT-STREAM', true],
    ['text/html, text/event-stream;q=0.5', true],
    ['text/event-stream; charset=utf-8', true],
    ['text/event-stream ; q = 0.3', true],
    ['text/html;x="a,b", text/event-stream', true],
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['text/*', false],
    ['text/event-stream;q=0', false],
    ['text/event-stream;q=0.000', false],
    ['text/event-stream;q=abc', false],
    ['text/event-stream;q=2', false],
    ['text/event-stream;q=-1', false],
    ['text/event-streamx', false],
    ['application/text/event-stream', false],
    ['text/html;x="a, text/event-stream, b"', false],
    ['text/html;x="a\\", text/event-stream, b"', false],
    [',,,', false],
  ])('%o → %s', (accept, expected) => {
    expect(acceptsEventStream(accept)).toBe(expected);
  });

  it('property: never throws', () => {
    fc.assert(
      fc.property(fc.string(), (accept) => {
        expect(typeof acceptsEventStream(accept)).toBe('boolean');
      }),
    );
  });

  it('property: true when text/event-stream is listed with q > 0 anywhere in the list', () => {
    fc.assert(
      fc.property(
        fc.array(otherRange, { maxLength: 5 }),
        eventStream,
        positiveQ,
        fc.nat(),
        fc.constantFrom(',', ', ', ' , '),
        (others, type, q, at, glue) => {
          const parts: string[] = [...others];
          parts.splice(at % (parts.length + 1), 0, type + q);
          expect(acceptsEventStream(join(parts, glue))).toBe(true);
        },
      ),
    );
  });

  it('property: false when text/event-stream is absent or only listed with q = 0', () => {
    fc.assert(
      fc.property(
        fc.array(otherRange, { maxLength: 6 }),
        fc.option(fc.tuple(eventStream, zeroQ), { nil: undefined }),
        (others, zero) => {
          const parts = zero === undefined ? others : [...others, zero[0] + zero[1]];
          expect(acceptsEventStream(join(parts, ', '))).toBe(false);
        },
      ),
    );
  });
});

describe('acceptsEncoding', () => {
  it('honours names, q=0 refusals, the * wildcard and identity', () => {
    expect(acceptsEncoding('br, gzip;q=0.5', 'gzip')).toBe(true);
    expect(acceptsEncoding('GZIP', 'gzip')).toBe(true);
    expect(acceptsEncoding('gzip;q=0, *', 'gzip')).toBe(false);
    expect(acceptsEncoding('gzip;q=0.000', 'gzip')).toBe(false);
    expect(acceptsEncoding('gzip;q=2', 'gzip')).toBe(false);
    expect(acceptsEncoding('*', 'gzip')).toBe(true);
    expect(acceptsEncoding('*;q=0', 'gzip')).toBe(false);
    expect(acceptsEncoding('br', 'gzip')).toBe(false);
    expect(acceptsEncoding(undefined, 'gzip')).toBe(false);
    expect(acceptsEncoding(undefined, 'identity')).toBe(true);
  });
});

describe('preferredEncoding', () => {
  const offer = ['br', 'gzip', 'deflate', 'identity'];
  it('picks the highest q, ties going to the server order', () => {
    expect(preferredEncoding('gzip, deflate, br', offer)).toBe('br');
    expect(preferredEncoding('gzip, br;q=0.5', offer)).toBe('gzip');
    expect(preferredEncoding('deflate;q=0.9, GZIP;q=0.9', offer)).toBe('gzip');
    expect(preferredEncoding('*', offer)).toBe('br');
    expect(preferredEncoding('*;q=0.5, gzip', offer)).toBe('gzip');
  });
  it('treats q=0 and malformed q as refusals, and identity as acceptable unless refused', () => {
    expect(preferredEncoding('gzip;q=0', offer)).toBe('identity');
    expect(preferredEncoding('gzip;q=x', offer)).toBe('identity');
    expect(preferredEncoding('', offer)).toBe('identity');
    expect(preferredEncoding('gzip;q=0.5, identity', offer)).toBe('identity');
    expect(preferredEncoding('identity;q=0', offer)).toBeUndefined();
    expect(preferredEncoding('*;q=0', offer)).toBeUndefined();
    expect(preferredEncoding('*;q=0, identity', offer)).toBe('identity');
    expect(preferredEncoding('gzip;q=0, identity;q=0', ['gzip', 'identity'])).toBeUndefined();
  });
  it('takes the first offer when there is no header (RFC 9110 §12.5.3: anything goes)', () => {
    expect(preferredEncoding(undefined, offer)).toBe('br');
    expect(preferredEncoding(undefined, [])).toBeUndefined();
  });
  it('never throws and only returns an offered coding (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.subarray(offer), (header, available) => {
        const got = preferredEncoding(header, available);
        expect(got === undefined || available.includes(got)).toBe(true);
      }),
    );
  });
});
