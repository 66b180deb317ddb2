import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  negotiateEncoding,
  negotiateLanguage,
  negotiateType,
  normalizeType,
  parseAccept,
} from './negotiate.js';

describe('parseAccept', () => {
  it('reads ranges, q-values and order', () => {
    expect(parseAccept('text/html;q=0.5, Application/JSON , */*;q=0')).toEqual([
      { value: 'text/html', q: 0.5, index: 0 },
      { value: 'application/json', q: 1, index: 1 },
      { value: '*/*', q: 0, index: 2 },
    ]);
  });

  it('clamps q and treats a malformed q as 1', () => {
    expect(parseAccept('a/b;q=7, c/d;q=-1, e/f;q=abc').map((e) => e.q)).toEqual([1, 0, 1]);
  });

  it('never throws and keeps every q within [0, 1] (property)', () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        for (const e of parseAccept(header)) {
          expect(e.q).toBeGreaterThanOrEqual(0);
          expect(e.q).toBeLessThanOrEqual(1);
          expect(e.value).toBe(e.value.trim());
          expect(e.value).not.toBe('');
        }
      }),
    );
  });
});

describe('negotiateType', () => {
  it('picks the highest q, returning the offer as spelled', () => {
    expect(negotiateType('text/html;q=0.9, application/json', ['html', 'json'])).toBe('json');
    expect(negotiateType('text/html, application/json;q=0.1', ['json', 'html'])).toBe('html');
  });

  it('uses the most specific matching range, so a specific q=0 vetoes a wildcard', () => {
    expect(negotiateType('text/html;q=0, */*', ['html'])).toBe(false);
    expect(negotiateType('text/html;q=0, */*', ['html', 'json'])).toBe('json');
    expect(negotiateType('text/*;q=0.3, text/plain', ['text/html', 'text/plain'])).toBe('text/plain');
  });

  it('returns false when nothing is acceptable and the first offer without a header', () => {
    expect(negotiateType('image/png', ['json', 'html'])).toBe(false);
    expect(negotiateType(undefined, ['json', 'html'])).toBe('json');
    expect(negotiateType('', ['html'])).toBe('html');
  });

  it('breaks q ties by specificity, then by offer order', () => {
    expect(negotiateType('*/*, application/json', ['html', 'json'])).toBe('json');
    expect(negotiateType('*/*', ['html', 'json'])).toBe('html');
  });

  it('expands shortcuts with mime-types', () => {
    expect(normalizeType('json')).toBe('application/json');
    expect(normalizeType('html')).toBe('text/html');
    expect(normalizeType('png')).toBe('image/png');
    expect(normalizeType('Text/Plain; charset=utf-8')).toBe('text/plain');
  });

  it('always answers false or one of the offers (property)', () => {
    const offer = fc.constantFrom('json', 'html', 'text/plain', 'image/png', 'application/xml', 'text/csv');
    fc.assert(
      fc.property(fc.string(), fc.array(offer, { maxLength: 5 }), (header, offers) => {
        const got = negotiateType(header, offers);
        if (got !== false) expect(offers).toContain(got);
      }),
    );
  });

  it('accepts an offer listed exactly with q > 0 and rejects every offer listed with q = 0 (property)', () => {
    const types = ['application/json', 'text/html', 'text/plain', 'image/png'];
    const entry = fc.record({ type: fc.constantFrom(...types), q: fc.integer({ min: 0, max: 1000 }) });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.type, minLength: 1 }), (entries) => {
        const header = entries.map((e) => `${e.type};q=${(e.q / 1000).toFixed(3)}`).join(', ');
        const got = negotiateType(header, types);
        const positive = entries.filter((e) => e.q > 0);
        if (positive.length === 0) {
          expect(got).toBe(false);
          return;
        }
        const best = Math.max(...positive.map((e) => e.q));
        expect(got).not.toBe(false);
        expect(entries.find((e) => e.type === got)?.q).toBe(best);
      }),
    );
  });
});

describe('negotiateEncoding', () => {
  it('honours q and keeps identity acceptable unless refused', () => {
    expect(negotiateEncoding('gzip;q=0.5, br', ['gzip', 'br'])).toBe('br');
    expect(negotiateEncoding('gzip;q=0', ['gzip'])).toBe(false);
    expect(negotiateEncoding('gzip;q=0', ['gzip', 'identity'])).toBe('identity');
    expect(negotiateEncoding('gzip, identity;q=0', ['identity'])).toBe(false);
    expect(negotiateEncoding('*;q=0', ['identity'])).toBe(false);
    expect(negotiateEncoding('*', ['br'])).toBe('br');
  });
});

describe('negotiateLanguage', () => {
  it('matches by prefix (RFC 4647 basic filtering)', () => {
    expect(negotiateLanguage('fr;q=0.5, en', ['fr', 'en-GB'])).toBe('en-GB');
    expect(negotiateLanguage('en-US', ['en', 'en-US'])).toBe('en-US');
    expect(negotiateLanguage('de', ['en', 'fr'])).toBe(false);
    expect(negotiateLanguage('*;q=0.1, fr', ['en', 'fr'])).toBe('fr');
  });
});
