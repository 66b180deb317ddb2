import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentRange, parseRange, unsatisfiedRange } from './range.js';

describe('parseRange', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the end', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual([{ start: 0, end: 99 }]);
    expect(parseRange('bytes=900-', 1000)).toEqual([{ start: 900, end: 999 }]);
    expect(parseRange('bytes=-100', 1000)).toEqual([{ start: 900, end: 999 }]);
    expect(parseRange('bytes=-5000', 1000)).toEqual([{ start: 0, end: 999 }]);
    expect(parseRange('bytes=990-5000', 1000)).toEqual([{ start: 990, end: 999 }]);
    expect(parseRange('Bytes = 1 - 2 ', 1000)).toEqual([{ start: 1, end: 2 }]);
  });

  it('reads several ranges, sorted, and drops the unsatisfiable members', () => {
    expect(parseRange('bytes=500-599, 0-9, 5000-', 1000)).toEqual([
      { start: 0, end: 9 },
      { start: 500, end: 599 },
    ]);
    expect(parseRange('bytes=0-0,,-1', 10)).toEqual([
      { start: 0, end: 0 },
      { start: 9, end: 9 },
    ]);
  });

  it('merges overlapping and adjacent ranges (RFC 9110 §14.2)', () => {
    expect(parseRange('bytes=0-9,5-19,20-29', 1000)).toEqual([{ start: 0, end: 29 }]);
    expect(parseRange(`bytes=${'0-999,'.repeat(500)}`, 1000)).toEqual([{ start: 0, end: 999 }]);
  });

  it('ignores more than maxRanges disjoint ranges (default 16)', () => {
    const many = Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10}`).join(',');
    expect(parseRange(`bytes=${many}`, 1000)).toBe('ignore');
    expect(parseRange(`bytes=${many}`, 1000, { maxRanges: 17 })).toHaveLength(17);
    expect(parseRange('bytes=0-1,5-6', 1000, { maxRanges: 1 })).toBe('ignore');
    expect(parseRange('bytes=0-1,2-6', 1000, { maxRanges: 1 })).toEqual([{ start: 0, end: 6 }]);
    expect(parseRange(`bytes=${'1-1,'.repeat(2000)}`, 1000)).toBe('ignore');
  });

  it('reports unsatisfiable ranges', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-0', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=1000-2000, 3000-', 1000)).toBe('unsatisfiable');
    expect(unsatisfiedRange(1000)).toBe('bytes */1000');
    expect(contentRange({ start: 0, end: 9 }, 1000)).toBe('bytes 0-9/1000');
  });

  it('ignores malformed and foreign-unit headers, and last < first anywhere', () => {
    for (const h of [
      undefined,
      'items=0-1',
      'bytes=5-1',
      'bytes=0-1,5-1',
      'bytes=a-b',
      'bytes=-',
      'bytes=',
      'bytes 0-1',
      'bytes=1-2-3',
    ]) {
      expect(parseRange(h, 1000)).toBe('ignore');
    }
  });

  it('yields sorted, disjoint ranges inside the representation, at most maxRanges (property)', () => {
    const spec = fc.oneof(
      fc.tuple(fc.nat(2000), fc.option(fc.nat(2000))).map(([a, b]) => `${a}-${b === null ? '' : a + b}`),
      fc.nat(2000).map((n) => `-${n}`),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(
        fc.array(spec, { maxLength: 30 }),
        fc.nat(3000),
        fc.integer({ min: 1, max: 20 }),
        (specs, size, maxRanges) => {
          const r = parseRange(`bytes=${specs.join(',')}`, size, { maxRanges });
          if (typeof r === 'string') return;
          expect(r.length).toBeGreaterThan(0);
          expect(r.length).toBeLessThanOrEqual(maxRanges);
          let prevEnd = -2;
          for (const { start, end } of r) {
            expect(start).toBeGreaterThan(prevEnd + 1);
            expect(start).toBeLessThanOrEqual(end);
            expect(end).toBeLessThan(size);
            prevEnd = end;
          }
        },
      ),
    );
  });

  it('covers exactly the bytes the well-formed specs ask for (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(60), fc.nat(60)), { minLength: 1, maxLength: 8 }),
        fc.nat(50),
        (pairs, size) => {
          const specs = pairs.map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
          const r = parseRange(`bytes=${specs.map(([a, b]) => `${a}-${b}`).join(',')}`, size, {
            maxRanges: 100,
          });
          const wanted = new Set<number>();
          for (const [a, b] of specs) for (let i = a; i <= Math.min(b, size - 1); i++) wanted.add(i);
          if (wanted.size === 0) {
            expect(r).toBe('unsatisfiable');
            return;
          }
          const got = new Set<number>();
          for (const { start, end } of r as { start: number; end: number }[])
            for (let i = start; i <= end; i++) got.add(i);
          expect([...got].sort((x, y) => x - y)).toEqual([...wanted].sort((x, y) => x - y));
        },
      ),
    );
  });
});
