import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepth, jsonDepthExceeds } from './json-depth.js';

/** The nesting depth of a parsed JSON value: 0 for a scalar, 1 + the deepest child otherwise. */
function valueDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  let max = 0;
  for (const child of children) max = Math.max(max, valueDepth(child));
  return 1 + max;
}

// Strings full of the characters the scanner must skip: brackets, quotes, backslashes.
const trickyString = fc.string({
  unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', 'é', '\u2028', '\n', 'u', '😀'),
});
const trickyJson = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1.5e300),
    trickyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('jsonDepth()', () => {
  it('equals the depth of the value for any JSON text, strings with brackets and escapes included', () => {
    fc.assert(
      fc.property(trickyJson, fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(jsonDepth(Buffer.from(text))).toBe(valueDepth(value));
      }),
      { numRuns: 500 },
    );
  });

  it('stops at the first level above stopAbove', () => {
    fc.assert(
      fc.property(trickyJson, fc.nat(6), (value, limit) => {
        const depth = valueDepth(value);
        const got = jsonDepth(Buffer.from(JSON.stringify(value)), limit);
        expect(got).toBe(depth > limit ? limit + 1 : depth);
      }),
    );
  });

  it('handles escapes at the edges of strings', () => {
    expect(jsonDepth(Buffer.from('"\\\\"'))).toBe(0);
    expect(jsonDepth(Buffer.from('["\\\\", [1]]'))).toBe(2);
    expect(jsonDepth(Buffer.from('["\\"]", [1]]'))).toBe(2);
    expect(jsonDepth(Buffer.from('"\\u005b["'))).toBe(0);
    expect(jsonDepth(Buffer.from('"unterminated [[['))).toBe(0);
    expect(jsonDepth(Buffer.from(''))).toBe(0);
  });
});

describe('jsonDepthExceeds()', () => {
  it('is true exactly when the depth is above the limit', () => {
    expect(jsonDepthExceeds(Buffer.from('[[1]]'), 2)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from('[[1]]'), 1)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from('"[[[["'), 0)).toBe(false);
  });
});
