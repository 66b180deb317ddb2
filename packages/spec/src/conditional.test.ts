import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  etagListMatches,
  fileEtag,
  evaluatePreconditions,
  ifRangeMatches,
  parseEntityTag,
  parseHttpDate,
  requestConditions,
} from './conditional.js';

const LM = 'Tue, 02 Jan 2024 03:04:05 GMT';
const BEFORE = 'Mon, 01 Jan 2024 00:00:00 GMT';
const AFTER = 'Wed, 01 Jan 2025 00:00:00 GMT';

describe('parseHttpDate', () => {
  it('reads the three HTTP-date forms of RFC 9110 §5.6.7 to seconds', () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(t);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(t);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(t);
  });

  it('refuses what is not an HTTP-date', () => {
    for (const v of [
      'garbage',
      '1',
      '2024-01-02T03:04:05Z',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Foo 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 25:49:37 GMT',
    ]) {
      expect(parseHttpDate(v)).toBeUndefined();
    }
  });

  it('round-trips Date#toUTCString (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (s) => {
        expect(parseHttpDate(new Date(s * 1000).toUTCString())).toBe(s);
      }),
    );
  });
});

describe('entity tags', () => {
  it('parses strong and weak tags, and refuses unquoted ones', () => {
    expect(parseEntityTag('"a"')).toEqual({ weak: false, opaque: '"a"' });
    expect(parseEntityTag(' W/"a" ')).toEqual({ weak: true, opaque: '"a"' });
    expect(parseEntityTag('a')).toBeUndefined();
    expect(parseEntityTag('w/"a"')).toBeUndefined();
  });

  it('compares weakly for If-None-Match and strongly for If-Match (RFC 9110 §8.8.3.2)', () => {
    expect(etagListMatches('W/"1"', '"1"', false)).toBe(true);
    expect(etagListMatches('"1"', 'W/"1"', false)).toBe(true);
    expect(etagListMatches('W/"1"', '"1"', true)).toBe(false);
    expect(etagListMatches('"1"', 'W/"1"', true)).toBe(false);
    expect(etagListMatches('"0", "1"', '"1"', true)).toBe(true);
    expect(etagListMatches('*', undefined, true)).toBe(true);
    expect(etagListMatches('"1"', undefined, false)).toBe(false);
    expect(etagListMatches('1', '1', false)).toBe(false);
  });

  it('weak comparison is symmetric and ignores W/ (property)', () => {
    const opaque = fc.stringMatching(/^[a-z0-9]{0,5}$/).map((s) => `"${s}"`);
    fc.assert(
      fc.property(opaque, opaque, fc.boolean(), fc.boolean(), (a, b, wa, wb) => {
        const ta = (wa ? 'W/' : '') + a;
        const tb = (wb ? 'W/' : '') + b;
        expect(etagListMatches(ta, tb, false)).toBe(a === b);
        expect(etagListMatches(tb, ta, false)).toBe(a === b);
        expect(etagListMatches(ta, tb, true)).toBe(a === b && !wa && !wb);
      }),
    );
  });
});

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  const v = { etag: '"v2"', lastModified: LM };

  it('fails a non-matching If-Match with 412, for any method', () => {
    expect(evaluatePreconditions('PUT', { ifMatch: '"v1"' }, v)).toBe('precondition-failed');
    expect(evaluatePreconditions('GET', { ifMatch: 'W/"v2"' }, v)).toBe('precondition-failed');
    expect(evaluatePreconditions('PUT', { ifMatch: '"v1", "v2"' }, v)).toBe('proceed');
    expect(evaluatePreconditions('PUT', { ifMatch: '*' }, {})).toBe('proceed');
  });

  it('If-Match wins over If-Unmodified-Since', () => {
    expect(evaluatePreconditions('PUT', { ifMatch: '"v2"', ifUnmodifiedSince: BEFORE }, v)).toBe('proceed');
  });

  it('fails If-Unmodified-Since when modified since; ignores a bad date or an unknown Last-Modified', () => {
    expect(evaluatePreconditions('PUT', { ifUnmodifiedSince: BEFORE }, v)).toBe('precondition-failed');
    expect(evaluatePreconditions('PUT', { ifUnmodifiedSince: LM }, v)).toBe('proceed');
    expect(evaluatePreconditions('PUT', { ifUnmodifiedSince: 'garbage' }, v)).toBe('proceed');
    expect(evaluatePreconditions('PUT', { ifUnmodifiedSince: BEFORE }, { etag: '"v2"' })).toBe('proceed');
  });

  it('answers a matching If-None-Match with 304 for GET/HEAD and 412 otherwise', () => {
    expect(evaluatePreconditions('GET', { ifNoneMatch: 'W/"v2"' }, v)).toBe('not-modified');
    expect(evaluatePreconditions('HEAD', { ifNoneMatch: '"x", "v2"' }, v)).toBe('not-modified');
    expect(evaluatePreconditions('POST', { ifNoneMatch: '*' }, v)).toBe('precondition-failed');
    expect(evaluatePreconditions('GET', { ifNoneMatch: '"x"' }, v)).toBe('proceed');
  });

  it('ignores If-Modified-Since when If-None-Match is present (the upstream §1.5 bug)', () => {
    expect(evaluatePreconditions('GET', { ifNoneMatch: '"x"', ifModifiedSince: AFTER }, v)).toBe('proceed');
    // Upstream also evaluated IMS when the response had no ETag; INM present still means no IMS.
    expect(
      evaluatePreconditions('GET', { ifNoneMatch: '"x"', ifModifiedSince: AFTER }, { lastModified: LM }),
    ).toBe('proceed');
  });

  it('answers If-Modified-Since with 304 only for GET/HEAD, a valid date, and not modified since', () => {
    expect(evaluatePreconditions('GET', { ifModifiedSince: AFTER }, v)).toBe('not-modified');
    expect(evaluatePreconditions('GET', { ifModifiedSince: LM }, v)).toBe('not-modified');
    expect(evaluatePreconditions('GET', { ifModifiedSince: BEFORE }, v)).toBe('proceed');
    expect(evaluatePreconditions('POST', { ifModifiedSince: AFTER }, v)).toBe('proceed');
    expect(evaluatePreconditions('GET', { ifModifiedSince: 'garbage' }, v)).toBe('proceed');
    expect(evaluatePreconditions('GET', { ifModifiedSince: AFTER }, { etag: '"v2"' })).toBe('proceed');
  });

  it('compares a Date Last-Modified at one-second resolution', () => {
    const lastModified = new Date('2024-01-02T03:04:05.678Z');
    expect(evaluatePreconditions('GET', { ifModifiedSince: LM }, { lastModified })).toBe('not-modified');
  });

  it('never answers 304 to a method other than GET/HEAD (property)', () => {
    const header = fc.option(fc.constantFrom('*', '"v2"', 'W/"v2"', '"x"', LM, BEFORE, AFTER, 'junk'), {
      nil: undefined,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH'),
        header,
        header,
        header,
        header,
        (m, a, b, c, d) => {
          const r = evaluatePreconditions(
            m,
            { ifMatch: a, ifNoneMatch: b, ifModifiedSince: c, ifUnmodifiedSince: d },
            v,
          );
          expect(r).not.toBe('not-modified');
        },
      ),
    );
  });
});

describe('ifRangeMatches (RFC 9110 §13.1.5)', () => {
  it('needs a strong ETag match or the exact Last-Modified date', () => {
    expect(ifRangeMatches(undefined, {})).toBe(true);
    expect(ifRangeMatches('"v2"', { etag: '"v2"' })).toBe(true);
    expect(ifRangeMatches('W/"v2"', { etag: 'W/"v2"' })).toBe(false);
    expect(ifRangeMatches('"v2"', { etag: 'W/"v2"' })).toBe(false);
    expect(ifRangeMatches('"v1"', { etag: '"v2"' })).toBe(false);
    expect(ifRangeMatches(LM, { lastModified: LM })).toBe(true);
    expect(ifRangeMatches(LM, { lastModified: new Date('2024-01-02T03:04:05.900Z') })).toBe(true);
    expect(ifRangeMatches(BEFORE, { lastModified: LM })).toBe(false);
    expect(ifRangeMatches('junk', { lastModified: LM })).toBe(false);
  });

  it('fileEtag is weak, from size and mtime', () => {
    expect(fileEtag(20, 1709528767000.9)).toBe('W/"14-18e07dada18"');
  });
});

describe('requestConditions', () => {
  it('is undefined without precondition headers', () => {
    expect(requestConditions([['accept', '*/*']])).toBeUndefined();
  });

  it('joins If-Match / If-None-Match lines into one list and takes the first date (RFC 9110 §5.3)', () => {
    expect(
      requestConditions([
        ['If-None-Match', '"a"'],
        ['if-none-match', '"b", W/"c"'],
        ['if-match', '*'],
        ['if-modified-since', 'Sun, 06 Nov 1994 08:49:37 GMT'],
        ['if-modified-since', 'Mon, 07 Nov 1994 08:49:37 GMT'],
      ]),
    ).toEqual({
      ifMatch: '*',
      ifNoneMatch: '"a","b", W/"c"',
      ifModifiedSince: 'Sun, 06 Nov 1994 08:49:37 GMT',
      ifUnmodifiedSince: undefined,
    });
  });
});
