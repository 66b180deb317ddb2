import { decodePath } from '@pagi/spec';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeQueryComponent, encodeSegment } from './encode.js';

describe('encodeSegment', () => {
  test('decodePath undoes it for every well-formed string, and the result never holds / ? # or a raw %', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const enc = encodeSegment(s);
        expect(enc).toBeDefined();
        expect(decodePath(enc!)).toBe(s);
        expect(enc).not.toMatch(/[/?#\s]|%(?![0-9A-F]{2})/);
      }),
    );
  });

  test('keeps sub-delimiters, : and @; encodes UTF-8 as upper-case hex', () => {
    expect(encodeSegment("a:b@c!$&'()*+,;=")).toBe("a:b@c!$&'()*+,;=");
    expect(encodeSegment('a b/c?d#e%')).toBe('a%20b%2Fc%3Fd%23e%25');
    expect(encodeSegment('café 😀')).toBe('caf%C3%A9%20%F0%9F%98%80');
  });

  test('encodes dot segments so clients do not remove them', () => {
    expect(encodeSegment('.')).toBe('%2E');
    expect(encodeSegment('..')).toBe('%2E%2E');
    expect(encodeSegment('...')).toBe('...');
  });

  test('refuses lone surrogates', () => {
    expect(encodeSegment('a\uD800b')).toBeUndefined();
    expect(encodeQueryComponent('\uDC00')).toBeUndefined();
    expect(encodeQueryComponent('a b&c')).toBe('a%20b%26c');
  });
});
