import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isIntParam, isPathParam, isSlugParam, isUuidParam } from './param-types.js';

describe('named parameter types', () => {
  test('int accepts every safe integer written by String()', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(isIntParam(String(n))).toBe(true);
      }),
    );
  });

  test('int rejects non-digits, empty, a lone minus and unsafe magnitudes', () => {
    for (const v of ['', '-', '1.5', '1e3', '+1', ' 1', 'abc', '9007199254740993', '0x10']) {
      expect(isIntParam(v), v).toBe(false);
    }
  });

  test('uuid accepts RFC 9562 text in either case and nothing else', () => {
    fc.assert(
      fc.property(fc.uuid(), (u) => {
        expect(isUuidParam(u)).toBe(true);
        expect(isUuidParam(u.toUpperCase())).toBe(true);
        expect(isUuidParam(`{${u}}`)).toBe(false);
        expect(isUuidParam(u.replaceAll('-', ''))).toBe(false);
      }),
    );
    expect(isUuidParam('g0000000-0000-0000-0000-000000000000')).toBe(false);
  });

  test('slug is ASCII letters, digits, - and _', () => {
    expect(isSlugParam('hello-world_2')).toBe(true);
    for (const v of ['', 'a b', 'café', 'a/b', 'a.b']) expect(isSlugParam(v), v).toBe(false);
  });

  test('path is any non-empty value', () => {
    expect(isPathParam('a/b')).toBe(true);
    expect(isPathParam('')).toBe(false);
  });
});
