import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { etagMatches, ifRangeAllows, isNotModified } from './conditional.js';
import { parseRange } from './range.js';

describe('parseRange', () => {
  it('reads first-last, open-ended and suffix ranges', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
  });

  it('reports unsatisfiable ranges', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-0', 0)).toBe('unsatisfiable');
  });

  it('ignores malformed, foreign-unit and multi-range headers', () => {
    for (const h of [
      undefined,
      'items=0-1',
      'bytes=5-1',
      'bytes=a-b',
      'bytes=-',
      'bytes=0-1,5-6',
      'bytes 0-1',
    ]) {
      expect(parseRange(h, 1000)).toBe('ignore');
    }
  });

  it('always yields a range inside the file (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(10_000), (tail, size) => {
        const r = parseRange(`bytes=${tail}`, size);
        if (typeof r === 'object') {
          expect(r.start).toBeGreaterThanOrEqual(0);
          expect(r.end).toBeLessThan(size);
          expect(r.start).toBeLessThanOrEqual(r.end);
        }
      }),
    );
  });
});

describe('conditional requests', () => {
  const etag = 'W/"10-abc"';
  const mtime = new Date('2024-01-02T03:04:05.678Z');

  it('matches If-None-Match weakly, in lists and with *', () => {
    expect(etagMatches('"10-abc"', etag)).toBe(true);
    expect(etagMatches('"x", W/"10-abc"', etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches('"other"', etag)).toBe(false);
  });

  it('ignores If-Modified-Since when If-None-Match is present (RFC 9110 §13.2.2)', () => {
    const later = 'Wed, 01 Jan 2025 00:00:00 GMT';
    expect(isNotModified({ ifModifiedSince: later }, etag, mtime)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"nope"', ifModifiedSince: later }, etag, mtime)).toBe(false);
    expect(isNotModified({ ifModifiedSince: mtime.toUTCString() }, etag, mtime)).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Mon, 01 Jan 2024 00:00:00 GMT' }, etag, mtime)).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'garbage' }, etag, mtime)).toBe(false);
  });

  it('lets If-Range through only for an equal date (weak tags never match strongly)', () => {
    expect(ifRangeAllows(undefined, etag, 'd')).toBe(true);
    expect(ifRangeAllows(etag, etag, 'd')).toBe(false);
    expect(ifRangeAllows('Tue, 02 Jan 2024 03:04:05 GMT', etag, 'Tue, 02 Jan 2024 03:04:05 GMT')).toBe(true);
    expect(ifRangeAllows('Mon, 01 Jan 2024 03:04:05 GMT', etag, 'Tue, 02 Jan 2024 03:04:05 GMT')).toBe(false);
  });
});
