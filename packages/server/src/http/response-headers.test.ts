import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenHeaders } from './response-headers.js';

describe('flattenHeaders', () => {
  it('copies pairs flat, takes content-length out for the head and drops transfer-encoding', () => {
    expect(
      flattenHeaders(
        [
          ['content-type', 'text/plain'],
          ['transfer-encoding', 'chunked'],
          ['content-length', '5'],
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ],
        'test',
      ),
    ).toEqual({
      flat: ['content-type', 'text/plain', 'set-cookie', 'a=1', 'set-cookie', 'b=2'],
      contentLength: '5',
    });
    // Trailers (no framing dropped): both fields stay where the app put them.
    expect(
      flattenHeaders(
        [
          ['content-length', '5'],
          ['transfer-encoding', 'chunked'],
        ],
        'test',
        false,
      ),
    ).toEqual({ flat: ['content-length', '5', 'transfer-encoding', 'chunked'], contentLength: '5' });
    expect(flattenHeaders(undefined, 'test')).toEqual({ flat: [], contentLength: undefined });
  });

  it.each([
    ['not an array', 'x'],
    ['a short pair', [['a']]],
    ['a number value (D-13)', [['content-length', 5]]],
    ['CRLF in a value', [['x', 'a\r\nb: c']]],
    ['NUL in a value', [['x', 'a\u0000']]],
    ['a non-byte character', [['x', 'snow\u2603']]],
    ['a space in a name', [['x y', 'a']]],
    ['an empty name', [['', 'a']]],
    ['an uppercase name (§2.4, strict)', [['X-Upper', 'a']]],
    ['a non-numeric content-length', [['content-length', '5 ']]],
    [
      'two different content-lengths',
      [
        ['content-length', '5'],
        ['content-length', '6'],
      ],
    ],
  ])('rejects %s', (_name, list) => {
    expect(() => flattenHeaders(list, 'http.response.start')).toThrow(
      expect.objectContaining({ code: 'PAGI_ERR_VALIDATION' }),
    );
  });

  it('returns a dense array holding exactly the kept pairs, in order (property)', () => {
    const pair = fc.tuple(
      fc.constantFrom('content-type', 'transfer-encoding', 'content-length', 'x-a', 'set-cookie'),
      fc.constantFrom('1', '12', 'a b'),
    );
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 12 }), (list) => {
        const lengths = list.filter(([name]) => name === 'content-length').map(([, v]) => v);
        // A bad or a second, different length is refused (tested above); the rest are kept.
        fc.pre(lengths.every((v) => v === lengths[0] && v !== 'a b'));
        const { flat, contentLength } = flattenHeaders(list, 'http.response.start');
        expect(contentLength).toBe(lengths[0]);
        const kept = list
          .filter(([name]) => name !== 'transfer-encoding' && name !== 'content-length')
          .flat();
        // No holes: the array is sized up front and then shortened to what was written.
        expect(Object.keys(flat).length).toBe(flat.length);
        expect(flat).toEqual(kept);
      }),
    );
  });

  it("never takes a head for the last one when a field at some place was not the last one's", () => {
    const flat = (l: Array<[string, string]>): string[] => flattenHeaders(l, 'p').flat;
    const long = 'x'.repeat(1100);
    // The last head had its content-length where this one has a field that passed there before.
    flat([
      ['vary', 'x'],
      ['x-a', '1'],
    ]);
    flat([
      ['content-type', '1'],
      ['content-length', '12'],
    ]);
    expect(
      flat([
        ['content-type', '1'],
        ['x-a', '1'],
      ]),
    ).toEqual(['content-type', '1', 'x-a', '1']);
    // The last head had a value too long to be remembered at a place.
    flat([['x-a', '1']]);
    flat([['x-a', long]]);
    expect(flat([['x-a', '1']])).toEqual(['x-a', '1']);
    // The last head repeated its content-length where this one has a field that passed there before.
    flat([
      ['x-c', 'z'],
      ['x-b', 'w'],
    ]);
    flat([
      ['content-length', '1'],
      ['content-length', '1'],
      ['x-a', 'v'],
    ]);
    expect(
      flat([
        ['content-length', '1'],
        ['x-b', 'w'],
        ['x-a', 'v'],
      ]),
    ).toEqual(['x-b', 'w', 'x-a', 'v']);
    // Trailers in between: their fields are not the last head's.
    flat([['x-a', '1']]);
    flattenHeaders([['x-a', '2']], 'p', false);
    expect(flat([['x-a', '2']])).toEqual(['x-a', '2']);
  });

  it('shares the field list of a head like the last one, and never changes a list it returned (property)', () => {
    // Heads, trailers and refused lists in any order: each result is the reference flattening,
    // every list returned before still holds what it held, and a head laid out and filled as the
    // head just before it gets that head's array.
    const names = ['content-type', 'transfer-encoding', 'content-length', 'x-a', 'vary', 'BAD'];
    const values = ['1', '12', 'a b', 'x'.repeat(1100), 'caf\u00e9', 'a\r\nb'];
    const list = fc.array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values)), { maxLength: 5 });
    const step = fc.tuple(list, fc.boolean(), fc.boolean());
    const reference = (l: Array<[string, string]>, head: boolean): string[] | 'refused' => {
      const lengths = l.filter(([name]) => name === 'content-length').map(([, v]) => v);
      if (lengths.some((v) => !/^[0-9]+$/.test(v) || v !== lengths[0])) return 'refused';
      if (l.some(([name, v]) => name === 'BAD' || /[\r\n]/.test(v))) return 'refused';
      let seenLength = false;
      const kept = l.filter(([name]) => {
        if (name === 'content-length') {
          const first = !seenLength;
          seenLength = true;
          return !head && first;
        }
        return !(head && name === 'transfer-encoding');
      });
      return kept.flat();
    };
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const returned: Array<{ flat: string[]; copy: string[] }> = [];
        let previous: { list: Array<[string, string]>; flat: string[] } | undefined;
        for (const [l, head, again] of steps) {
          // `again`: the same fields in fresh pair arrays (what an app or a stack sends).
          const lists = again ? [l, l.map(([n, v]) => [n, v] as [string, string])] : [l];
          for (const one of lists) {
            const want = reference(one, head);
            let flat: string[] | undefined;
            try {
              flat = flattenHeaders(one, 'p', head).flat;
            } catch {
              flat = undefined;
            }
            if (want === 'refused') {
              expect(flat).toBeUndefined();
              previous = undefined;
              continue;
            }
            expect(flat).toEqual(want);
            if (previous !== undefined && head && JSON.stringify(previous.list) === JSON.stringify(one)) {
              // Only long values (not remembered) or repeated lengths make a fresh array here.
              const fresh = one.some(([n, v]) => v.length > 1024 && n !== 'content-length');
              const lengths = one.filter(([n]) => n === 'content-length').length;
              if (!fresh && lengths < 2) expect(flat).toBe(previous.flat);
            }
            previous = head ? { list: one, flat: flat! } : undefined;
            returned.push({ flat: flat!, copy: [...flat!] });
          }
        }
        for (const r of returned) expect(r.flat).toEqual(r.copy);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets CR, LF or NUL through in any position (property)', () => {
    const byteString = fc.string({
      unit: fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)),
      maxLength: 20,
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(byteString, byteString), { maxLength: 6 }), (list) => {
        let result: ReturnType<typeof flattenHeaders> | undefined;
        try {
          result = flattenHeaders(list, 'p');
        } catch (error) {
          expect((error as { code?: string }).code).toBe('PAGI_ERR_VALIDATION');
          return;
        }
        for (const item of result.flat) expect(/[\r\n\u0000]/.test(item)).toBe(false);
      }),
    );
  });

  it('accepts exactly lowercase RFC 9110 tokens as names and byte strings without controls as values (property)', () => {
    // The reference rules, as regexes: §2.4 lowercase token names; HTAB, SP, visible ASCII, obs-text.
    const tokenRule = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
    const valueRule = /^[\t\x20-\x7e\x80-\xff]*$/;
    const anyChar = fc.oneof(
      {
        arbitrary: fc.constantFrom(..."!#$%&'*+-.^_`|~09azAZ".split('').map((c) => c.charCodeAt(0))),
        weight: 6,
      },
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xff }),
      fc.integer({ min: 0x100, max: 0xffff }),
    );
    const text = fc
      .array(
        anyChar.map((c) => String.fromCharCode(c)),
        { maxLength: 12 },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(text, text, (name, value) => {
        let ok = true;
        try {
          flattenHeaders([[name, value]], 'p');
        } catch (error) {
          expect((error as { code?: string }).code).toBe('PAGI_ERR_VALIDATION');
          ok = false;
        }
        const expected =
          tokenRule.test(name) && valueRule.test(value) && (name !== 'content-length' || /^\d+$/.test(value));
        expect(ok).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('remembering checked strings never changes a verdict, even past the cache bound (property)', () => {
    const bad = (v: string) => /[^\t\x20-\x7e\x80-\xff]/.test(v);
    const valueArb = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('ok', 'a\r\nb', 'x\u0000'));
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 700 }), (values) => {
        for (const round of [1, 2]) {
          for (const v of values) {
            const attempt = () => flattenHeaders([['x-test', v]], `round ${round}`);
            if (bad(v)) expect(attempt).toThrow(/x-test/);
            else expect(attempt().flat).toEqual(['x-test', v]);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
  it('remembering the last good value of each place never changes a verdict (property)', () => {
    const bad = (v: string) => /[^\t\x20-\x7e\x80-\xff]/.test(v);
    const valueArb = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('ok', 'a\r\nb', 'x\u0000', 'ok\n'),
    );
    // Lists of up to 40 fields (past the 32 remembered places), sent in rounds: the same value at
    // the same place, then a bad value where a good one was remembered.
    fc.assert(
      fc.property(
        fc.array(fc.array(valueArb, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 6 }),
        (lists) => {
          for (const round of [1, 2]) {
            for (const values of lists) {
              const list = values.map((v, i) => [`x-f${i}`, v]);
              const attempt = () => flattenHeaders(list, `round ${round}`);
              const firstBad = values.findIndex(bad);
              if (firstBad >= 0) expect(attempt).toThrow(`headers[${firstBad}]`);
              else expect(attempt().flat).toEqual(list.flat());
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
