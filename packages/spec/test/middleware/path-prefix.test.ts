import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathPrefixMatcher } from '../../src/middleware/path-prefix.js';

describe('pathPrefixMatcher', () => {
  it('matches whole segments only', () => {
    const covers = pathPrefixMatcher('t', ['/admin', '/api/']);
    expect(covers('/admin')).toBe(true);
    expect(covers('/admin/users')).toBe(true);
    expect(covers('/administrator')).toBe(false);
    expect(covers('/api')).toBe(true);
    expect(covers('/api/x')).toBe(true);
    expect(covers('/apix')).toBe(false);
    expect(covers('/')).toBe(false);
    expect(covers('/ADMIN')).toBe(false);
  });

  it('no paths, an empty list or / cover everything', () => {
    for (const paths of [undefined, [], ['/'], ['/x', '/']]) {
      const covers = pathPrefixMatcher('t', paths);
      fc.assert(fc.property(fc.string(), (p) => covers(`/${p}`)));
    }
  });

  it('refuses paths that do not start with / (naming the owner)', () => {
    expect(() => pathPrefixMatcher('authX', ['admin'])).toThrow(
      /authX\(\): expected paths to start with '\/'/,
    );
    expect(() => pathPrefixMatcher('authX', [1 as never])).toThrow(/authX/);
    expect(() => pathPrefixMatcher('authX', '/admin' as never)).toThrow(/array/);
  });
});
