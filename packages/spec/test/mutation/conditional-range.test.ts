// Range parsing and conditional requests (RFC 9110 §13, §14): boundaries of every comparison.
import { describe, expect, it } from 'vitest';
import {
  clfTime,
  contentRange,
  escapeHtml,
  escapeLogValue,
  etagListMatches,
  evaluatePreconditions,
  fileEtag,
  formatAccessLog,
  ifRangeMatches,
  NOT_MODIFIED_HEADERS,
  parseEntityTag,
  parseHttpDate,
  parseRange,
  unsatisfiedRange,
} from '../../src/index.js';

describe('parseRange', () => {
  it('reads the unit case-insensitively with optional spaces, anchored', () => {
    expect(parseRange('bytes=0-1', 10)).toEqual([{ start: 0, end: 1 }]);
    expect(parseRange(' Bytes = 0 - 1 ', 10)).toEqual([{ start: 0, end: 1 }]);
    expect(parseRange('xbytes=0-1', 10)).toBe('ignore');
    expect(parseRange('bytes 0-1', 10)).toBe('ignore');
    expect(parseRange(undefined, 10)).toBe('ignore');
  });

  it('anchors each spec', () => {
    expect(parseRange('bytes=a0-1', 10)).toBe('ignore');
    expect(parseRange('bytes=0-1a', 10)).toBe('ignore');
    expect(parseRange('bytes=-', 10)).toBe('ignore');
    expect(parseRange('bytes=,', 10)).toBe('ignore');
    expect(parseRange('bytes=', 10)).toBe('ignore');
    expect(parseRange('bytes=, 0-0 ,', 10)).toEqual([{ start: 0, end: 0 }]);
  });

  it('first-last bounds: last = first is one byte, last < first ignores, start = size is unsatisfiable', () => {
    expect(parseRange('bytes=5-5', 10)).toEqual([{ start: 5, end: 5 }]);
    expect(parseRange('bytes=5-4', 10)).toBe('ignore');
    expect(parseRange('bytes=9-', 10)).toEqual([{ start: 9, end: 9 }]);
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=10-20', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=8-20', 10)).toEqual([{ start: 8, end: 9 }]);
    expect(parseRange('bytes=8-9', 10)).toEqual([{ start: 8, end: 9 }]);
  });

  it('suffix ranges: clamped to the start; -0 and an empty representation are unsatisfiable', () => {
    expect(parseRange('bytes=-3', 10)).toEqual([{ start: 7, end: 9 }]);
    expect(parseRange('bytes=-10', 10)).toEqual([{ start: 0, end: 9 }]);
    expect(parseRange('bytes=-20', 10)).toEqual([{ start: 0, end: 9 }]);
    expect(parseRange('bytes=-1', 1)).toEqual([{ start: 0, end: 0 }]);
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-5', 0)).toBe('unsatisfiable');
  });

  it('sorts and merges overlapping or adjacent ranges only', () => {
    expect(parseRange('bytes=5-6,0-1', 10)).toEqual([
      { start: 0, end: 1 },
      { start: 5, end: 6 },
    ]);
    expect(parseRange('bytes=0-1,2-3', 10)).toEqual([{ start: 0, end: 3 }]);
    expect(parseRange('bytes=0-1,3-4', 10)).toEqual([
      { start: 0, end: 1 },
      { start: 3, end: 4 },
    ]);
    expect(parseRange('bytes=0-8,2-3', 10)).toEqual([{ start: 0, end: 8 }]);
    expect(parseRange('bytes=0-3,2-6', 10)).toEqual([{ start: 0, end: 6 }]);
  });

  it('maxRanges counts merged ranges; at most 1000 list members', () => {
    const disjoint = (n: number) =>
      `bytes=${Array.from({ length: n }, (_, i) => `${i * 2}-${i * 2}`).join(',')}`;
    expect(parseRange(disjoint(16), 100)).toHaveLength(16);
    expect(parseRange(disjoint(17), 100)).toBe('ignore');
    expect(parseRange(disjoint(3), 100, { maxRanges: 2 })).toBe('ignore');
    expect(parseRange(disjoint(2), 100, { maxRanges: 2 })).toHaveLength(2);
    expect(parseRange(`bytes=${Array(1000).fill('0-0').join(',')}`, 10)).toEqual([{ start: 0, end: 0 }]);
    expect(parseRange(`bytes=${Array(1001).fill('0-0').join(',')}`, 10)).toBe('ignore');
  });

  it('formats Content-Range', () => {
    expect(contentRange({ start: 2, end: 5 }, 10)).toBe('bytes 2-5/10');
    expect(unsatisfiedRange(10)).toBe('bytes */10');
  });
});

describe('entity tags', () => {
  it('parses the etagc set only, trimmed', () => {
    expect(parseEntityTag(' "a!#~" ')).toEqual({ weak: false, opaque: '"a!#~"' });
    expect(parseEntityTag('W/"x"')).toEqual({ weak: true, opaque: '"x"' });
    expect(parseEntityTag('"\u0080\u00ff"')).toEqual({ weak: false, opaque: '"\u0080\u00ff"' });
    expect(parseEntityTag('"a"b"')).toBeUndefined();
    expect(parseEntityTag('"a b"')).toBeUndefined();
    expect(parseEntityTag('"a\x7f"')).toBeUndefined();
    expect(parseEntityTag('w/"x"')).toBeUndefined();
    expect(parseEntityTag('x"a"')).toBeUndefined();
    expect(parseEntityTag('"a"x')).toBeUndefined();
    expect(parseEntityTag('""')).toEqual({ weak: false, opaque: '""' });
  });

  it('list matching: *, undefined and invalid tags, weak vs strong', () => {
    expect(etagListMatches(' * ', undefined, true)).toBe(true);
    expect(etagListMatches('"a"', undefined, false)).toBe(false);
    expect(etagListMatches('"a"', 'a', false)).toBe(false);
    expect(etagListMatches('"a"', 'W/"a"', true)).toBe(false);
    expect(etagListMatches('"a"', 'W/"a"', false)).toBe(true);
    expect(etagListMatches('W/"a"', '"a"', true)).toBe(false);
    expect(etagListMatches('W/"a"', '"a"', false)).toBe(true);
    expect(etagListMatches('"b", bogus, "a"', '"a"', true)).toBe(true);
    expect(etagListMatches('"b", "c"', '"a"', false)).toBe(false);
  });
});

describe('parseHttpDate', () => {
  const at = (iso: string) => Date.parse(iso) / 1000;
  it('checks every field range', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(at('1994-11-06T08:49:37Z'));
    expect(parseHttpDate(' Sun, 06 Nov 1994 08:49:37 GMT ')).toBe(at('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('Sun, 31 Dec 1994 23:59:59 GMT')).toBe(at('1994-12-31T23:59:59Z'));
    expect(parseHttpDate('Sun, 01 Jan 1994 00:00:00 GMT')).toBe(at('1994-01-01T00:00:00Z'));
    expect(parseHttpDate('Sun, 31 Dec 1994 23:59:60 GMT')).toBe(at('1995-01-01T00:00:00Z'));
    expect(parseHttpDate('Sun, 00 Nov 1994 08:49:37 GMT')).toBeUndefined();
    expect(parseHttpDate('Sun, 32 Nov 1994 08:49:37 GMT')).toBeUndefined();
    expect(parseHttpDate('Sun, 06 Nov 1994 24:00:00 GMT')).toBeUndefined();
    expect(parseHttpDate('Sun, 06 Nov 1994 08:60:00 GMT')).toBeUndefined();
    expect(parseHttpDate('Sun, 06 Nov 1994 08:00:61 GMT')).toBeUndefined();
    expect(parseHttpDate('Sun, 06 Nox 1994 08:49:37 GMT')).toBeUndefined();
    expect(parseHttpDate('Sun, 06 jan 1994 08:49:37 GMT')).toBe(at('1994-01-06T08:49:37Z'));
  });

  it('RFC 850 years: within 50 years ahead stay in this century', () => {
    const now = new Date().getUTCFullYear();
    const yy = (y: number) => String(y % 100).padStart(2, '0');
    const soon = now + 50;
    const later = now + 51;
    expect(parseHttpDate(`Sunday, 06-Nov-${yy(soon)} 08:49:37 GMT`)).toBe(at(`${soon}-11-06T08:49:37Z`));
    expect(parseHttpDate(`Sunday, 06-Nov-${yy(later)} 08:49:37 GMT`)).toBe(
      at(`${later - 100}-11-06T08:49:37Z`),
    );
    expect(parseHttpDate(`Sunday, 06-Nov-${yy(now)} 08:49:37 GMT`)).toBe(at(`${now}-11-06T08:49:37Z`));
  });

  it('asctime with a one-digit day', () => {
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(at('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('Sun Nov 16 08:49:37 1994')).toBe(at('1994-11-16T08:49:37Z'));
  });
});

describe('evaluatePreconditions', () => {
  const lm = 'Sun, 06 Nov 1994 08:49:37 GMT';
  const before = 'Sun, 06 Nov 1994 08:49:36 GMT';
  const after = 'Sun, 06 Nov 1994 08:49:38 GMT';

  it('If-Unmodified-Since: equal passes, one second older fails', () => {
    expect(evaluatePreconditions('PUT', { ifUnmodifiedSince: lm }, { lastModified: lm })).toBe('proceed');
    expect(evaluatePreconditions('PUT', { ifUnmodifiedSince: before }, { lastModified: lm })).toBe(
      'precondition-failed',
    );
    expect(evaluatePreconditions('PUT', { ifUnmodifiedSince: before }, {})).toBe('proceed');
    expect(
      evaluatePreconditions('PUT', { ifUnmodifiedSince: before }, { lastModified: new Date(Number.NaN) }),
    ).toBe('proceed');
  });

  it('If-Modified-Since: equal or later is 304, earlier proceeds; only GET and HEAD', () => {
    expect(evaluatePreconditions('GET', { ifModifiedSince: lm }, { lastModified: lm })).toBe('not-modified');
    expect(evaluatePreconditions('HEAD', { ifModifiedSince: after }, { lastModified: lm })).toBe(
      'not-modified',
    );
    expect(evaluatePreconditions('GET', { ifModifiedSince: before }, { lastModified: lm })).toBe('proceed');
    expect(evaluatePreconditions('POST', { ifModifiedSince: lm }, { lastModified: lm })).toBe('proceed');
    expect(evaluatePreconditions('GET', { ifModifiedSince: 'junk' }, { lastModified: lm })).toBe('proceed');
    expect(evaluatePreconditions('GET', { ifModifiedSince: lm }, {})).toBe('proceed');
    expect(
      evaluatePreconditions('GET', { ifModifiedSince: lm }, { lastModified: new Date(Date.parse(lm) + 999) }),
    ).toBe('not-modified');
  });

  it('If-None-Match: HEAD is safe, other methods fail; a miss proceeds even with If-Modified-Since', () => {
    expect(evaluatePreconditions('HEAD', { ifNoneMatch: '"a"' }, { etag: '"a"' })).toBe('not-modified');
    expect(evaluatePreconditions('DELETE', { ifNoneMatch: '*' }, {})).toBe('precondition-failed');
    expect(
      evaluatePreconditions(
        'GET',
        { ifNoneMatch: '"b"', ifModifiedSince: lm },
        { etag: '"a"', lastModified: lm },
      ),
    ).toBe('proceed');
    expect(evaluatePreconditions('GET', { ifMatch: '"a"' }, { etag: '"a"' })).toBe('proceed');
  });
});

describe('ifRangeMatches', () => {
  const lm = 'Sun, 06 Nov 1994 08:49:37 GMT';
  it('strong tag or exact date only', () => {
    expect(ifRangeMatches(undefined, {})).toBe(true);
    expect(ifRangeMatches(' "a" ', { etag: '"a"' })).toBe(true);
    expect(ifRangeMatches('"a"', { etag: '"b"' })).toBe(false);
    expect(ifRangeMatches('W/"a"', { etag: 'W/"a"' })).toBe(false);
    expect(ifRangeMatches('W/"a"', { etag: '"a"' })).toBe(false);
    expect(ifRangeMatches('"a', { etag: '"a"' })).toBe(false);
    expect(ifRangeMatches(lm, { lastModified: lm })).toBe(true);
    expect(ifRangeMatches(lm, { lastModified: new Date(Date.parse(lm)) })).toBe(true);
    expect(ifRangeMatches(lm, { lastModified: 'Sun, 06 Nov 1994 08:49:38 GMT' })).toBe(false);
    expect(ifRangeMatches('junk', { lastModified: 'junk' })).toBe(false);
    expect(ifRangeMatches(lm, {})).toBe(false);
  });
});

describe('small formatters', () => {
  it('NOT_MODIFIED_HEADERS and fileEtag', () => {
    expect([...NOT_MODIFIED_HEADERS]).toEqual([
      'cache-control',
      'content-location',
      'date',
      'etag',
      'expires',
      'last-modified',
      'vary',
    ]);
    expect(fileEtag(255, 4096.9)).toBe('W/"ff-1000"');
  });

  it('escapeHtml', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
    );
    expect(escapeHtml('plain')).toBe('plain');
  });

  it('access log pieces', () => {
    expect(clfTime(new Date(Date.UTC(2024, 0, 5, 3, 4, 9)))).toBe('05/Jan/2024:03:04:09 +0000');
    expect(clfTime(new Date(Date.UTC(2024, 11, 25, 13, 14, 10)))).toBe('25/Dec/2024:13:14:10 +0000');
    expect(escapeLogValue('a"b\\c\n\x00\x1f\x7f~')).toBe('a\\x22b\\x5cc\\x0a\\x00\\x1f\\x7f~');
    const entry = {
      client: '',
      method: 'GET',
      target: '/',
      httpVersion: '1.1',
      status: 200,
      bytes: 1,
      durationMs: 1.23456,
      protocol: 'http',
    };
    const now = new Date(Date.UTC(2024, 0, 5, 3, 4, 9));
    expect(formatAccessLog('common', entry, now)).toBe(
      '- - - [05/Jan/2024:03:04:09 +0000] "GET / HTTP/1.1" 200 1',
    );
    expect(formatAccessLog('combined', entry, now)).toBe(
      '- - - [05/Jan/2024:03:04:09 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',
    );
    expect(formatAccessLog('off', entry, now)).toBeUndefined();
    expect(JSON.parse(formatAccessLog('json', entry, now))).toMatchObject({ duration_ms: 1.235 });
  });
});
