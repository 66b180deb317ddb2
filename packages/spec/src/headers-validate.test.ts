import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPagiError } from './errors.js';
import { getHeader, getHeaderValues } from './header-list.js';
import { checkHeader, toHeaderList, validateHeaderList } from './headers-validate.js';

function rejects(value: unknown, strict = true): string {
  try {
    validateHeaderList(value, 'response header', strict);
  } catch (error) {
    expect(isPagiError(error) && error.code).toBe('PAGI_ERR_VALIDATION');
    return (error as Error).message;
  }
  throw new Error('expected validateHeaderList to throw');
}

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = fc.string({ unit: anyCodeUnit, maxLength: 30 });
const tokenChar = fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz");
const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 });
const safeValueChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09))
  .map((c) => String.fromCharCode(c));

describe('validateHeaderList', () => {
  it('accepts an empty list and ordinary headers with duplicates', () => {
    expect(() => validateHeaderList([], 'x')).not.toThrow();
    expect(() =>
      validateHeaderList(
        [
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
          ['content-type', 'text/html; charset=utf-8'],
          ['x-empty', ''],
        ],
        'x',
      ),
    ).not.toThrow();
  });

  it('names where, index and name in the message', () => {
    expect(
      rejects([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
        ['x-a', 'a\nb'],
      ]),
    ).toBe("response header 3 ('x-a'): value must not contain LF (0x0a); found at index 1");
  });

  it('escapes control characters of a bad name in the message', () => {
    expect(rejects([['x\r\ny', '1']])).toBe(
      "response header 0 ('x\\x0d\\x0ay'): expected the name to be an RFC 9110 token, got CR (0x0d) at index 1",
    );
  });

  it.each([
    ['not an array', 'content-type: text/plain', /response header list: expected an array/],
    [
      'a pair object',
      [{ name: 'a', value: 'b' }],
      /header 0: expected a \[name, value\] pair, got an object/,
    ],
    ['a single', [['a']], /got an array of 1/],
    ['a numeric value', [['content-length', 12]], /expected the value to be a string, got 12/],
    ['a null value', [['x', null]], /got null/],
    ['a Buffer value', [['x', Buffer.from('a')]], /got a Buffer of 1 bytes/],
    ['a numeric name', [[5, 'x']], /expected the name to be a string, got 5/],
    ['an uppercase name', [['Content-Type', 'x']], /lowercase header name, got uppercase 'C' at index 0/],
    ['a non-ASCII name', [['café', 'x']], /got byte 0xe9 at index 3/],
    ['a DEL in a value', [['x', 'a\u007f']], /control character 0x7f/],
    ['a vertical tab in a value', [['x', '\u000b']], /control character 0x0b/],
    ['a code unit > 0xff', [['x', '\u20ac']], /U\+20AC \(above 0xff/],
    ['a lone surrogate', [['x', '\ud800']], /U\+D800/],
  ])('rejects %s', (_name, value, message) => {
    expect(rejects(value)).toMatch(message);
  });

  it('accepts uppercase names only when strictCase is false', () => {
    expect(() => validateHeaderList([['Content-Type', 'x']], 'h', false)).not.toThrow();
    expect(rejects([['Content Type', 'x']], false)).toMatch(/token/);
  });

  it('property: never accepts a value containing CR, LF or NUL', () => {
    fc.assert(
      fc.property(anyString, fc.constantFrom('\r', '\n', '\0'), anyString, (a, bad, b) => {
        expect(rejects([['x-a', a + bad + b]])).toMatch(/value must not contain/);
      }),
    );
  });

  it('property: never accepts a name containing CR, LF, NUL or a space', () => {
    fc.assert(
      fc.property(anyString, fc.constantFrom('\r', '\n', '\0', ' ', ':'), anyString, (a, bad, b) => {
        rejects([[a + bad + b, 'v']], false);
      }),
    );
  });

  it('property: accepts every lowercase token name with a byte-safe value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(token, fc.string({ unit: safeValueChar, maxLength: 40 })), { maxLength: 8 }),
        (list) => {
          validateHeaderList(list, 'h');
        },
      ),
    );
  });

  it('property: whatever it accepts has no CR, LF, NUL and only code units ≤ 0xff', () => {
    fc.assert(
      fc.property(anyString, anyString, (name, value) => {
        let accepted = true;
        try {
          validateHeaderList([[name, value]], 'h', false);
        } catch {
          accepted = false;
        }
        if (accepted) expect(/[\r\n\0]|[^\u0000-\u00ff]/.test(name + value)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('toHeaderList, checkHeader', () => {
  it('normalises objects and pair lists to lowercase HeaderLists', () => {
    expect(toHeaderList({ 'X-A': '1', 'set-cookie': ['a=1', 'b=2'] })).toEqual([
      ['x-a', '1'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(toHeaderList([['Content-Type', 'text/plain']])).toEqual([['content-type', 'text/plain']]);
    expect(toHeaderList(undefined)).toEqual([]);
  });

  it('returns the first value, and all values in order', () => {
    const list: [string, string][] = [
      ['a', '1'],
      ['b', '2'],
      ['a', '3'],
    ];
    expect(getHeader(list, 'A')).toBe('1');
    expect(getHeaderValues(list, 'a')).toEqual(['1', '3']);
    expect(getHeader(list, 'c')).toBeUndefined();
  });

  it('never lets CR, LF or NUL through in a value (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        let accepted = true;
        try {
          checkHeader('x-test', value);
        } catch {
          accepted = false;
        }
        // RFC 9110 §5.5: controls other than HTAB, DEL, and code units above 0xFF (D-2) are refused.
        const unsafe = [...value].some((ch) => {
          const c = ch.charCodeAt(0);
          return (c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff;
        });
        expect(accepted).toBe(!unsafe);
      }),
    );
  });

  it('accepts only token names', () => {
    expect(() => checkHeader('x a', 'v')).toThrow(/token/);
    expect(() => checkHeader('', 'v')).toThrow(/non-empty/);
    expect(() => checkHeader('x:a', 'v')).toThrow(/token/);
    expect(checkHeader('X-Ok_1', 'v')).toBe('x-ok_1');
  });
});
