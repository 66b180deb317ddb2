import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePath, splitTarget } from './path.js';

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const latin1Char = fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c));
const utf8 = new TextDecoder('utf-8', { fatal: true });

function percentEncodeAll(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += `%${b.toString(16).padStart(2, '0')}`;
  return out;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('decodePath', () => {
  it.each([
    ['/plain', '/plain'],
    ['/caf%C3%A9', '/café'],
    ['/caf%c3%a9', '/café'],
    ['/a%20b', '/a b'],
    ['/a+b', '/a+b'],
    ['/%FF', '/\u00ff'],
    ['/%', '/%'],
    ['/%4', '/%4'],
    ['/%zz', '/%zz'],
    ['/a%2Fb', '/a/b'],
  ])('decodes %s to %s', (raw, expected) => {
    expect(decodePath(raw)).toBe(expected);
  });

  it('property: never throws, on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodeUnit }), (raw) => {
        expect(typeof decodePath(raw)).toBe('string');
      }),
    );
  });

  it('property: round-trips encodeURIComponent-encoded segments', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 6 }), (segments) => {
        const raw = `/${segments.map(encodeURIComponent).join('/')}`;
        expect(decodePath(raw)).toBe(`/${segments.join('/')}`);
      }),
      { numRuns: 200 },
    );
  });

  it('property: bytes that are not UTF-8 decode as latin1, one character per byte', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((b) => !isUtf8(b)),
        (bytes) => {
          const decoded = decodePath(percentEncodeAll(bytes));
          expect(decoded.length).toBe(bytes.length);
          expect(Buffer.from(decoded, 'latin1')).toEqual(Buffer.from(bytes));
        },
      ),
    );
  });

  it('property: percent-encoded UTF-8 bytes decode like TextDecoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (text) => {
        expect(decodePath(percentEncodeAll(new TextEncoder().encode(text)))).toBe(text);
      }),
    );
  });

  it('property: a latin1 path with no % and no byte > 0x7f comes back unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: latin1Char }).filter((s) => !/[%\u0080-\u00ff]/.test(s)),
        (raw) => {
          expect(decodePath(raw)).toBe(raw);
        },
      ),
    );
  });
});

describe('splitTarget', () => {
  it('splits on the first ? and keeps the query encoded', () => {
    expect(splitTarget('/a?b=1&c=%20?d')).toEqual({ raw_path: '/a', query_string: 'b=1&c=%20?d' });
    expect(splitTarget('/a')).toEqual({ raw_path: '/a', query_string: '' });
    expect(splitTarget('/a?')).toEqual({ raw_path: '/a', query_string: '' });
  });
});
