import { decodePath } from '@pagi/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTarget, encodeQuery, encodeTargetPart } from './target.js';

/** Path text without the characters that have a meaning of their own in a target. */
const pathText = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !/[%?#]/.test(s));

describe('buildTarget', () => {
  it('produces an ASCII raw_path that decodes back to the path given', () => {
    fc.assert(
      fc.property(pathText, (text) => {
        const { raw_path, query_string } = buildTarget('', `/${text}`, undefined);
        expect(/^[\x21-\x7e]*$/.test(raw_path)).toBe(true);
        expect(decodePath(raw_path)).toBe(`/${text}`);
        expect(query_string).toBe('');
      }),
    );
  });

  it('keeps pre-encoded escapes as they are', () => {
    expect(buildTarget('', '/a%2Fb', undefined).raw_path).toBe('/a%2Fb');
    expect(encodeTargetPart('a b#c')).toBe('a%20b%23c');
  });

  it('prefixes the root path once and joins inline and extra queries', () => {
    expect(buildTarget('/api', '/x?a=1', { b: 2 })).toEqual({ raw_path: '/api/x', query_string: 'a=1&b=2' });
    expect(buildTarget('/api', '/api', undefined).raw_path).toBe('/api');
    expect(buildTarget('/api', '/apix', undefined).raw_path).toBe('/api/apix');
    expect(buildTarget('', 'rel', undefined).raw_path).toBe('/rel');
  });
});

describe('encodeQuery', () => {
  it('round-trips any record through URLSearchParams', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }),
          fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
        ),
        (record) => {
          const parsed = new URLSearchParams(encodeQuery(record));
          const expected = Object.entries(record).flatMap(([k, vs]) => vs.map((v) => [k, v]));
          expect([...parsed]).toEqual(expected);
        },
      ),
    );
  });
});
