import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timingSafeEqualString } from './timing-safe.js';

describe('timingSafeEqualString', () => {
  it('is true only for equal values, any lengths, strings or bytes', () => {
    expect(timingSafeEqualString('secret', 'secret')).toBe(true);
    expect(timingSafeEqualString('secret', 'secreT')).toBe(false);
    expect(timingSafeEqualString('secret', 'secret ')).toBe(false);
    expect(timingSafeEqualString('', '')).toBe(true);
    expect(timingSafeEqualString('', 'x')).toBe(false);
    expect(timingSafeEqualString('é', new TextEncoder().encode('é'))).toBe(true);
  });

  it('agrees with === on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(timingSafeEqualString(a, b)).toBe(a === b);
        expect(timingSafeEqualString(a, a)).toBe(true);
      }),
    );
  });
});
