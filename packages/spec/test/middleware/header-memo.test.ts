// HeaderListMemo: a hit only for the very same pairs with the names and values they had when
// remembered, so a remembered result that shares pairs with its list is never stale.
import { describe, expect, it } from 'vitest';
import { concatHeader, HeaderListMemo } from '../../src/middleware/index.js';
import type { HeaderList } from '../../src/types.js';

describe('HeaderListMemo', () => {
  it('matches nothing before the first remember, and gives the initial result', () => {
    const memo = new HeaderListMemo<string>('none');
    expect(memo.matches([])).toBe(false);
    expect(memo.result).toBe('none');
  });

  it('matches the same pairs again, also in a new list, and returns the remembered result', () => {
    const a: HeaderList = [['content-type', 'text/plain']];
    const memo = new HeaderListMemo<HeaderList>([]);
    const out = memo.remember(a, concatHeader(a, ['x-a', '1']));
    expect(memo.matches(a)).toBe(true);
    expect(memo.matches([a[0]!])).toBe(true);
    expect(memo.result).toBe(out);
  });

  it('does not match a pair changed in place, an equal but other pair, or another length', () => {
    const pair: [string, string] = ['content-type', 'text/plain'];
    const a: HeaderList = [pair];
    const memo = new HeaderListMemo<number>(0);
    memo.remember(a, 1);
    expect(memo.matches([['content-type', 'text/plain']])).toBe(false);
    expect(memo.matches([pair, ['x-a', '1']])).toBe(false);
    expect(memo.matches([])).toBe(false);
    pair[1] = 'text/html';
    expect(memo.matches(a)).toBe(false);
    pair[0] = 'x-other';
    pair[1] = 'text/plain';
    expect(memo.matches(a)).toBe(false);
    pair[0] = 'content-type';
    expect(memo.matches(a)).toBe(true);
  });

  it('remembers the latest list only', () => {
    const a: HeaderList = [['x-a', '1']];
    const b: HeaderList = [['x-b', '2']];
    const memo = new HeaderListMemo<string>('');
    memo.remember(a, 'a');
    memo.remember(b, 'b');
    expect(memo.matches(a)).toBe(false);
    expect(memo.matches(b)).toBe(true);
    expect(memo.result).toBe('b');
  });
});
