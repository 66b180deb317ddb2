import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestBudget } from './request-budget.js';

describe('requestBudget', () => {
  it('0 means unlimited', () => {
    expect(requestBudget(0, 100)).toBe(0);
  });

  it('without jitter is exactly maxRequests', () => {
    expect(requestBudget(500, 0, () => 0.99)).toBe(500);
  });

  it('stays within ±jitter and never below 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (max, jitter, r) => {
          const b = requestBudget(max, jitter, () => r);
          expect(b).toBeGreaterThanOrEqual(Math.max(1, max - jitter));
          expect(b).toBeLessThanOrEqual(max + jitter);
        },
      ),
    );
  });
});
