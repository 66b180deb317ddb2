import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preferredMediaType } from './accept.js';

const OFFERS = ['text/html', 'application/json', 'text/plain'];

describe('preferredMediaType', () => {
  it.each([
    [undefined, 'text/html'],
    ['', 'text/html'],
    ['application/json', 'application/json'],
    ['text/plain, application/json;q=0.9', 'text/plain'],
    ['application/json;q=0.5, text/html;q=0.5', 'text/html'],
    ['text/*', 'text/html'],
    ['text/*;q=0.5, */*;q=0.1', 'text/html'],
    ['*/*;q=0.1, application/json', 'application/json'],
    ['text/html;q=0, */*', 'application/json'],
    ['image/png', undefined],
    ['text/*;q=0, application/json;q=0', undefined],
    ['text/html;q=2', undefined], // a malformed q counts as 0
    ['text/html;q=2, */*;q=0.1', 'application/json'],
    ['Application/JSON', 'application/json'],
  ])('%o → %s', (accept, expected) => {
    expect(preferredMediaType(accept, OFFERS)).toBe(expected);
  });

  it('always returns one of the offers or undefined, never throws (property)', () => {
    fc.assert(
      fc.property(fc.string(), (accept) => {
        const got = preferredMediaType(accept, OFFERS);
        expect(got === undefined || OFFERS.includes(got)).toBe(true);
      }),
    );
  });
});
