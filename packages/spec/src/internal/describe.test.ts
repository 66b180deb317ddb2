import { describe as suite, expect, it } from 'vitest';
import { describe, quote } from './describe.js';

suite('quote', () => {
  it('escapes controls, quotes, backslashes and lone surrogates', () => {
    expect(quote("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(quote('x\r\n\0\u007f\u0085')).toBe("'x\\x0d\\x0a\\x00\\x7f\\x85'");
    expect(quote('\ud800')).toBe("'\\ud800'");
    expect(quote('café €')).toBe("'café €'");
  });

  it('cuts long strings at 40 characters', () => {
    expect(quote('a'.repeat(41))).toBe(`'${'a'.repeat(40)}…'`);
    expect(quote('a'.repeat(40))).toBe(`'${'a'.repeat(40)}'`);
  });
});

suite('describe', () => {
  it.each([
    [null, 'null'],
    [undefined, 'nothing'],
    ['200', "'200' (string)"],
    [200, '200'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [10n, '10n (bigint)'],
    [() => {}, 'a function'],
    [Symbol('s'), 'a symbol'],
    [[1, 2], 'an array of 2'],
    [new Uint8Array(3), 'a Uint8Array of 3 bytes'],
    [{ a: 1 }, 'an object'],
  ])('%o → %s', (value, text) => {
    expect(describe(value)).toBe(text);
  });
});
