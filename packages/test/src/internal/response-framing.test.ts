import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkContentLength, clientHead } from './response-framing.js';

const start = (headers: [string, string][]) => ({ type: 'http.response.start', status: 200, headers });

describe('checkContentLength', () => {
  it('accepts any decimal length, repeated with the same value', () => {
    fc.assert(
      fc.property(fc.nat(), (n) => {
        expect(() => checkContentLength(start([['content-length', String(n)]]))).not.toThrow();
        expect(() =>
          checkContentLength(
            start([
              ['content-length', String(n)],
              ['Content-Length', String(n)],
            ]),
          ),
        ).not.toThrow();
      }),
    );
  });

  it('rejects anything but digits, and lengths that disagree', () => {
    for (const bad of ['ten', '-1', '+5', '1.5', ' 5', '']) {
      expect(() => checkContentLength(start([['content-length', bad]])), bad).toThrow(
        expect.objectContaining({ code: 'PAGI_ERR_VALIDATION' }),
      );
    }
    expect(() =>
      checkContentLength(
        start([
          ['content-length', '1'],
          ['content-length', '2'],
        ]),
      ),
    ).toThrow(expect.objectContaining({ code: 'PAGI_ERR_VALIDATION' }));
  });

  it('leaves malformed header lists to the spec validator', () => {
    expect(() =>
      checkContentLength({ type: 'http.response.start', status: 200, headers: 'x' }),
    ).not.toThrow();
    expect(() => checkContentLength(null)).not.toThrow();
  });
});

describe('clientHead', () => {
  it('drops transfer-encoding in any case and keeps the rest in order', () => {
    expect(
      clientHead([
        ['x-a', '1'],
        ['Transfer-Encoding', 'chunked'],
        ['x-b', '2'],
      ]),
    ).toEqual([
      ['x-a', '1'],
      ['x-b', '2'],
    ]);
  });
});
