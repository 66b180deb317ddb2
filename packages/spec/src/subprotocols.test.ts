import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSubprotocols } from './subprotocols.js';

describe('parseSubprotocols', () => {
  it.each([
    [[], []],
    [['chat'], ['chat']],
    [['chat, superchat'], ['chat', 'superchat']],
    [[' chat ,\tv2.json\t'], ['chat', 'v2.json']],
    [
      ['a,,b', ' , '],
      ['a', 'b'],
    ],
    [
      ['a, b', 'c'],
      ['a', 'b', 'c'],
    ],
    [[''], []],
  ])('%o → %o', (lines, expected) => {
    expect(parseSubprotocols(lines)).toEqual(expected);
  });

  it('property: entries are non-empty, trimmed and comma-free, and joining them back loses nothing', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcxyz.-_0189'), minLength: 1, maxLength: 8 });
    const space = fc.constantFrom('', ' ', '\t', '  ');
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(space, word, space), { maxLength: 4 }), { maxLength: 3 }),
        (lines) => {
          const raw = lines.map((line) => line.map(([a, w, b]) => a + w + b).join(','));
          const parsed = parseSubprotocols(raw);
          expect(parsed).toEqual(lines.flat().map(([, w]) => w));
          for (const p of parsed) expect(p).toMatch(/^[^\s,]+$/);
        },
      ),
    );
  });
});
