import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMediaType } from './media-type.js';

describe('parseMediaType', () => {
  it('reads the essence and parameters', () => {
    expect(parseMediaType('Text/HTML; Charset="utf-8"; q=1')).toEqual({
      essence: 'text/html',
      params: { charset: 'utf-8', q: '1' },
    });
    expect(parseMediaType('multipart/form-data; boundary=abc')).toEqual({
      essence: 'multipart/form-data',
      params: { boundary: 'abc' },
    });
    expect(parseMediaType(undefined).essence).toBe('');
    expect(parseMediaType('garbage').essence).toBe('');
  });

  it('never throws and yields a lowercase essence (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const { essence, params } = parseMediaType(value);
        expect(essence).toBe(essence.toLowerCase());
        for (const k of Object.keys(params)) expect(k).toBe(k.toLowerCase());
      }),
    );
  });
});
