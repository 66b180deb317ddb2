// header-list (appendVary, ASCII case folding), HttpError and statusPhrase, LifespanStartupError.
import { describe, expect, it } from 'vitest';
import { appendVary, getHeader, HttpError, LifespanStartupError, statusPhrase } from '../../src/index.js';

describe('appendVary', () => {
  it('adds to an empty list', () => {
    expect(appendVary([], 'Origin')).toEqual([['vary', 'Origin']]);
    expect(appendVary([], 'Origin', 'Accept')).toEqual([['vary', 'Origin, Accept']]);
  });

  it('merges existing Vary entries into one, dropping blanks and case-insensitive repeats', () => {
    expect(
      appendVary(
        [
          ['x-a', '1'],
          ['Vary', ' Accept-Encoding ,, accept-encoding'],
          ['vary', 'Cookie'],
        ],
        'origin',
        'COOKIE',
        'Origin',
      ),
    ).toEqual([
      ['x-a', '1'],
      ['vary', 'Accept-Encoding, Cookie, origin'],
    ]);
  });

  it('keeps * as *', () => {
    expect(appendVary([['vary', 'Accept, *']], 'Origin')).toEqual([['vary', '*']]);
  });

  it('with no new field still normalises the value', () => {
    expect(appendVary([['vary', 'a , b']])).toEqual([['vary', 'a, b']]);
  });
});

describe('header name matching', () => {
  it('folds only ASCII letters', () => {
    expect(getHeader([['X-Ab', '1']], 'x-aB')).toBe('1');
    expect(getHeader([['x-ab', '1']], 'x-ac')).toBeUndefined();
    expect(getHeader([['x-a', '1']], 'x-ab')).toBeUndefined();
    // '@' (0x40) and '[' (0x5B) sit just outside A–Z: they are not folded to '`' / '{'.
    expect(getHeader([['@', '1']], '`')).toBeUndefined();
    expect(getHeader([['[', '1']], '{')).toBeUndefined();
    expect(getHeader([['A', '1']], 'a')).toBe('1');
    expect(getHeader([['z', '1']], 'Z')).toBe('1');
  });
});

describe('HttpError', () => {
  it('takes the status phrase as detail by default', () => {
    const cases: [number, string][] = [
      [400, 'Bad Request'],
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
      [404, 'Not Found'],
      [405, 'Method Not Allowed'],
      [406, 'Not Acceptable'],
      [409, 'Conflict'],
      [413, 'Content Too Large'],
      [415, 'Unsupported Media Type'],
      [416, 'Range Not Satisfiable'],
      [422, 'Unprocessable Content'],
      [429, 'Too Many Requests'],
      [500, 'Internal Server Error'],
      [503, 'Service Unavailable'],
      [410, 'Gone'],
      [431, 'Request Header Fields Too Large'],
      [501, 'Not Implemented'],
      [511, 'Network Authentication Required'],
      [418, 'Error'],
      [599, 'Error'],
    ];
    for (const [status, phrase] of cases) {
      expect(statusPhrase(status)).toBe(phrase);
      const error = new HttpError(status);
      expect(error.detail).toBe(phrase);
      expect(error.message).toBe(`HTTP ${status}: ${phrase}`);
    }
  });

  it('keeps detail, headers, code and cause', () => {
    const cause = new Error('db');
    const error = new HttpError(409, { detail: 'taken', headers: { 'x-a': '1' }, cause });
    expect(error.status).toBe(409);
    expect(error.detail).toBe('taken');
    expect(error.message).toBe('HTTP 409: taken');
    expect(error.code).toBe('PAGI_ERR_HTTP');
    expect(error.headers).toEqual({ 'x-a': '1' });
    expect(error.cause).toBe(cause);
    expect(new HttpError(404).headers).toBeUndefined();
  });
});

describe('LifespanStartupError', () => {
  it('uses the app message, or says startup failed', () => {
    expect(new LifespanStartupError('db down').message).toBe('db down');
    expect(new LifespanStartupError('').message).toBe('lifespan startup failed');
    expect(new LifespanStartupError('x').code).toBe('PAGI_ERR_LIFESPAN_STARTUP');
  });
});
