import type { HeaderList } from '@pagi/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allHeaders,
  firstHeader,
  normalizeRequestHeaders,
  overrideHeaders,
  toHeaderList,
} from './headers.js';

const name = fc.constantFrom('cookie', 'x-a', 'accept', 'x-b');
const value = fc.string({ unit: fc.constantFrom('a', '=', ';', ' ', '1'), maxLength: 6 });

describe('normalizeRequestHeaders', () => {
  it('leaves exactly one cookie entry holding every cookie value joined by "; "', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 8 }), (pairs) => {
        const list: HeaderList = pairs.map(([n, v]) => [n, v]);
        const out = normalizeRequestHeaders(list);
        const cookies = list.filter(([n]) => n === 'cookie').map(([, v]) => v);
        expect(out.filter(([n]) => n === 'cookie')).toEqual(
          cookies.length ? [['cookie', cookies.join('; ')]] : [],
        );
        expect(out.filter(([n]) => n !== 'cookie')).toEqual(list.filter(([n]) => n !== 'cookie'));
      }),
    );
  });

  it('rejects a value with a line break', () => {
    expect(() => normalizeRequestHeaders([['x-a', 'a\nb']])).toThrow();
  });
});

describe('header helpers', () => {
  it('lowercases names and expands arrays', () => {
    expect(toHeaderList({ 'X-A': ['1', '2'], B: 'c' })).toEqual([
      ['x-a', '1'],
      ['x-a', '2'],
      ['b', 'c'],
    ]);
    expect(toHeaderList([['X-Y', 'z']])).toEqual([['x-y', 'z']]);
  });

  it('overrides by name and looks up case-insensitively', () => {
    const merged = overrideHeaders(
      [
        ['a', '1'],
        ['b', '2'],
      ],
      [['a', '3']],
    );
    expect(merged).toEqual([
      ['b', '2'],
      ['a', '3'],
    ]);
    expect(firstHeader(merged, 'A')).toBe('3');
    expect(allHeaders([...merged, ['a', '4']], 'A')).toEqual(['3', '4']);
  });
});
