import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseOrigin } from '../src/origin.js';
import { MASKED_LENGTH, maskToken, unmaskToken } from '../src/mask.js';
import { mintToken, verifyToken } from '../src/token.js';

const K = 'k'.repeat(32);

describe('tokens and origins (properties)', () => {
  it('a minted token verifies for its binding only', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (binding, other) => {
        const token = mintToken([K], binding);
        expect(verifyToken([K], binding, token)).toBe(true);
        if (other !== binding) expect(verifyToken([K], other, token)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary strings never verify and never throw', () => {
    fc.assert(
      fc.property(fc.string(), (token) => {
        expect(verifyToken([K], '', token)).toBe(false);
      }),
    );
  });

  it('normaliseOrigin accepts only http(s) origins and never throws', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const origin = normaliseOrigin(value);
        if (origin !== undefined) expect(origin).toMatch(/^https?:\/\/[^/]+$/);
      }),
    );
    expect(normaliseOrigin('null')).toBeUndefined();
    expect(normaliseOrigin('HTTPS://Example.COM:443')).toBe('https://example.com');
    expect(normaliseOrigin('javascript:alert(1)')).toBeUndefined();
  });
});

describe('masked tokens (properties)', () => {
  it('masking round-trips, never repeats, and always has the masked shape', () => {
    fc.assert(
      fc.property(fc.string(), (binding) => {
        const token = mintToken([K], binding);
        const a = maskToken(token);
        const b = maskToken(token);
        expect(a).not.toBe(b);
        expect(a).toHaveLength(MASKED_LENGTH);
        expect(a).toMatch(/^[\w-]{133}[AQgw]$/);
        expect(unmaskToken(a)).toBe(token);
        expect(unmaskToken(b)).toBe(token);
      }),
      { numRuns: 200 },
    );
  });

  it('any change to a masked token changes what it unmasks to', () => {
    const token = mintToken([K], '');
    const masked = maskToken(token);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MASKED_LENGTH - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
        (at, char) => {
          const changed = `${masked.slice(0, at)}${char}${masked.slice(at + 1)}`;
          if (changed === masked) return;
          const unmasked = unmaskToken(changed);
          expect(unmasked).not.toBe(token);
          if (unmasked !== undefined) expect(verifyToken([K], '', unmasked)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('arbitrary strings never throw; only the two token lengths get past the shape check', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ minLength: 134, maxLength: 134 })), (value) => {
        const unmasked = unmaskToken(value);
        if (value.length !== 68 && value.length !== MASKED_LENGTH) expect(unmasked).toBeUndefined();
        if (unmasked !== undefined) expect(verifyToken([K], '', unmasked)).toBe(false);
      }),
    );
    expect(unmaskToken('A'.repeat(MASKED_LENGTH))).toMatch(/^A{24}\.A{43}$/);
  });
});
