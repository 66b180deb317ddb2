// Accept / Accept-Encoding negotiation: empty ranges, first-match-wins, specificity, ties.
import { describe, expect, it } from 'vitest';
import { acceptsEncoding, preferredEncoding, preferredMediaType } from '../../src/middleware/index.js';

describe('acceptsEncoding', () => {
  it('the first entry naming the coding decides', () => {
    expect(acceptsEncoding('gzip, gzip;q=0', 'gzip')).toBe(true);
    expect(acceptsEncoding('gzip;q=0, gzip', 'gzip')).toBe(false);
    expect(acceptsEncoding('GZIP', 'gzip')).toBe(true);
  });

  it('falls back to *, then to identity only', () => {
    expect(acceptsEncoding('*;q=0', 'br')).toBe(false);
    expect(acceptsEncoding('*', 'br')).toBe(true);
    expect(acceptsEncoding('br;q=0, *', 'br')).toBe(false);
    expect(acceptsEncoding(undefined, 'identity')).toBe(true);
    expect(acceptsEncoding(undefined, 'gzip')).toBe(false);
    expect(acceptsEncoding('', 'identity')).toBe(true);
  });
});

describe('preferredEncoding', () => {
  it('ignores empty entries (their q does not lower identity)', () => {
    expect(preferredEncoding('gzip;q=0.5, ;q=0.1', ['identity', 'gzip'])).toBe('identity');
    expect(preferredEncoding('gzip;q=0.5, br;q=0.1', ['identity', 'gzip'])).toBe('gzip');
  });

  it('picks the highest q, the first on ties; the first listing of a coding wins', () => {
    expect(preferredEncoding('gzip;q=0.5, br;q=0.8', ['gzip', 'br'])).toBe('br');
    expect(preferredEncoding('gzip;q=0.5, br;q=0.5', ['br', 'gzip'])).toBe('br');
    expect(preferredEncoding('br;q=0.2, br;q=0.9, gzip;q=0.5', ['br', 'gzip'])).toBe('gzip');
    expect(preferredEncoding('*;q=0.3, gzip;q=0.2', ['gzip', 'br'])).toBe('br');
    expect(preferredEncoding('gzip;q=0, identity;q=0', ['gzip', 'identity'])).toBeUndefined();
    expect(preferredEncoding(undefined, ['br', 'gzip'])).toBe('br');
    expect(preferredEncoding('br', [])).toBeUndefined();
    expect(preferredEncoding('BR', ['Br'])).toBe('Br');
    expect(preferredEncoding('gzip;q=x', ['gzip'])).toBeUndefined();
    expect(preferredEncoding('gzip;q=0', ['gzip', 'identity'])).toBe('identity');
  });
});

describe('preferredMediaType', () => {
  const offers = ['text/html', 'application/json', 'text/plain'];

  it('no or blank Accept: the first offer', () => {
    expect(preferredMediaType(undefined, offers)).toBe('text/html');
    expect(preferredMediaType('  ', offers)).toBe('text/html');
    expect(preferredMediaType(undefined, [])).toBeUndefined();
  });

  it('the most specific range sets an offer\u2019s q, whatever the order', () => {
    expect(preferredMediaType('text/*;q=0.9, text/html;q=0.1, application/json;q=0.5', offers)).toBe(
      'text/plain',
    );
    expect(preferredMediaType('text/html;q=0.1, text/*;q=0.9, application/json;q=0.5', offers)).toBe(
      'text/plain',
    );
    expect(preferredMediaType('*/*;q=0.9, text/*;q=0.2', offers)).toBe('application/json');
    expect(preferredMediaType('text/*;q=0.2, */*;q=0.9', offers)).toBe('application/json');
    expect(preferredMediaType('*/*', offers)).toBe('text/html');
  });

  it('highest q wins, ties go to the earlier offer, q=0 and malformed q refuse', () => {
    expect(preferredMediaType('text/plain, text/html', offers)).toBe('text/html');
    expect(preferredMediaType('text/plain;q=1, text/html;q=0.999', offers)).toBe('text/plain');
    expect(preferredMediaType('text/html;q=0, */*;q=0.1', offers)).toBe('application/json');
    expect(preferredMediaType('text/html;q=abc', offers)).toBeUndefined();
    expect(preferredMediaType('image/png', offers)).toBeUndefined();
    expect(preferredMediaType('TEXT/HTML', offers)).toBe('text/html');
  });

  it('a type without a slash, */x and text/* for other types do not match', () => {
    expect(preferredMediaType('text', offers)).toBeUndefined();
    expect(preferredMediaType('*', offers)).toBeUndefined();
    expect(preferredMediaType('*/html', offers)).toBeUndefined();
    expect(preferredMediaType('image/*', offers)).toBeUndefined();
    expect(preferredMediaType('text/*', ['textual/x', 'text/x'])).toBe('text/x');
  });

  it('a comma inside a quoted parameter does not split the range', () => {
    expect(preferredMediaType('text/html;x="a\\",text/plain";q=0.5, application/json;q=0.4', offers)).toBe(
      'text/html',
    );
    expect(preferredMediaType('text/html;x="a,text/plain";q=0', offers)).toBeUndefined();
  });
});
