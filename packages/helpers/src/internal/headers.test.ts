import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allHeaders, checkHeader, firstHeader, toHeaderList } from './headers.js';
import { parseMediaType } from './media-type.js';

describe('header helpers', () => {
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
    expect(firstHeader(list, 'A')).toBe('1');
    expect(allHeaders(list, 'a')).toEqual(['1', '3']);
    expect(firstHeader(list, 'c')).toBeUndefined();
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
        const unsafe = /[\r\n\0]/.test(value) || [...value].some((c) => c.charCodeAt(0) > 0xff);
        expect(accepted).toBe(!unsafe);
      }),
    );
  });

  it('accepts only token names', () => {
    expect(() => checkHeader('x a', 'v')).toThrow(/token/);
    expect(() => checkHeader('', 'v')).toThrow(/token/);
    expect(() => checkHeader('x:a', 'v')).toThrow(/token/);
    expect(checkHeader('X-Ok_1', 'v')).toBe('x-ok_1');
  });
});

describe('parseMediaType', () => {
  it('reads the essence and parameters', () => {
    expect(parseMediaType('Text/HTML; Charset="utf-8"; q=1')).toEqual({
      essence: 'text/html',
      params: { charset: 'utf-8', q: '1' },
    });
    expect(parseMediaType('multipart/form-data; boundary=abc')).toEqual({
      essence: 'multipart/form-data',
      params: { boundary: 'abc' },
    });
    expect(parseMediaType(undefined).essence).toBe('');
    expect(parseMediaType('garbage').essence).toBe('');
  });

  it('never throws and yields a lowercase essence (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const { essence, params } = parseMediaType(value);
        expect(essence).toBe(essence.toLowerCase());
        for (const k of Object.keys(params)) expect(k).toBe(k.toLowerCase());
      }),
    );
  });
});
