import { describe, expect, it } from 'vitest';
import {
  appendHeader,
  concatHeader,
  concatHeaders,
  deleteHeader,
  getHeader,
  getHeaderValues,
  hasHeader,
  setHeader,
} from './header-list.js';
import type { HeaderList } from './types.js';

function frozen(list: HeaderList): HeaderList {
  for (const pair of list) Object.freeze(pair);
  return Object.freeze(list) as HeaderList;
}

const list = frozen([
  ['content-type', 'text/plain'],
  ['set-cookie', 'a=1'],
  ['x-id', '7'],
  ['set-cookie', 'b=2'],
]);

describe('header list helpers', () => {
  it('getHeader returns the first value, case-insensitively', () => {
    expect(getHeader(list, 'Set-Cookie')).toBe('a=1');
    expect(getHeader(list, 'CONTENT-TYPE')).toBe('text/plain');
    expect(getHeader(list, 'x-missing')).toBeUndefined();
    expect(getHeader(list, 'x-i')).toBeUndefined();
  });

  it('getHeaderValues returns every value in order', () => {
    expect(getHeaderValues(list, 'set-cookie')).toEqual(['a=1', 'b=2']);
    expect(getHeaderValues(list, 'nope')).toEqual([]);
  });

  it('hasHeader matches names case-insensitively and only whole names', () => {
    expect(hasHeader(list, 'X-ID')).toBe(true);
    expect(hasHeader(list, 'x-idx')).toBe(false);
    expect(hasHeader([['Content-Type', 'x']], 'content-type')).toBe(true);
  });

  it('only folds ASCII letters', () => {
    expect(hasHeader([['x-\u00e9', '1']], 'x-\u00c9')).toBe(false);
    expect(hasHeader([['x-[', '1']], 'x-{')).toBe(false);
  });

  it('setHeader replaces all entries with one, at the first position', () => {
    expect(setHeader(list, 'Set-Cookie', 'c=3')).toEqual([
      ['content-type', 'text/plain'],
      ['Set-Cookie', 'c=3'],
      ['x-id', '7'],
    ]);
  });

  it('setHeader appends when the name is new', () => {
    expect(setHeader(list, 'x-new', '1').at(-1)).toEqual(['x-new', '1']);
    expect(setHeader(list, 'x-new', '1')).toHaveLength(5);
  });

  it('appendHeader keeps existing entries', () => {
    const out = appendHeader(list, 'set-cookie', 'c=3');
    expect(getHeaderValues(out, 'set-cookie')).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('concatHeaders and concatHeader append pairs to a new list of the right size, sharing the pairs', () => {
    const add = frozen([
      ['x-a', '1'],
      ['set-cookie', 'c=3'],
    ]);
    const out = concatHeaders(list, add);
    expect(out).toEqual([...list, ...add]);
    expect(out).toHaveLength(6);
    expect(out[4]).toBe(add[0]);
    expect(concatHeaders(list, [])).toEqual(list);
    expect(concatHeaders([], add)).toEqual(add);
    const one = concatHeader(list, ['x-b', '2']);
    expect(one).toEqual([...list, ['x-b', '2']]);
    expect(one).not.toBe(list);
    expect(one[0]).toBe(list[0]);
    // No holes: every index is set (the lists go to code that iterates them).
    expect(Object.keys(one)).toHaveLength(5);
  });

  it('deleteHeader removes every entry of the name', () => {
    expect(deleteHeader(list, 'SET-COOKIE')).toEqual([
      ['content-type', 'text/plain'],
      ['x-id', '7'],
    ]);
    expect(deleteHeader(list, 'absent')).toEqual(list);
  });

  it('never mutates the input and never shares pairs with it', () => {
    // The input is frozen: any write would throw in strict mode.
    for (const out of [
      setHeader(list, 'x-id', '8'),
      appendHeader(list, 'x-a', '1'),
      deleteHeader(list, 'x-a'),
    ]) {
      expect(out).not.toBe(list);
      for (const pair of out) expect(list.includes(pair)).toBe(false);
      out[0]![1] = 'changed';
    }
    expect(list[0]).toEqual(['content-type', 'text/plain']);
  });
});
