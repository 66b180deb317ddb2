import { describe, expect, it } from 'vitest';
import { isToken } from './token.js';

describe('isToken', () => {
  it.each(['a', 'content-type', "!#$%&'*+-.^_`|~", 'X-Upper', '0'])('accepts %o', (text) => {
    expect(isToken(text)).toBe(true);
  });
  it.each(['', 'a b', 'a:b', 'a/b', '(x)', 'é', 'a\t', '"q"', 'a,b', 'a;b', 'a=b', '{}', '@', '?'])(
    'rejects %o',
    (text) => {
      expect(isToken(text)).toBe(false);
    },
  );
});
