import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseOrigin } from '../src/origin.js';
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
