import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globToRegExp, reloadMatcher } from './reload-match.js';

describe('reload matching (--reload-include / --reload-exclude)', () => {
  const m = reloadMatcher([], []);

  it('reloads for source and JSON files, in any subdirectory', () => {
    for (const p of ['app.mjs', 'src/a.ts', 'lib/x.cjs', 'config.json', 'deep/er/y.mts'])
      expect(m.matches(p)).toBe(true);
  });

  it('ignores node_modules, .git, dotfiles and dot-directories, editor droppings and other types', () => {
    for (const p of [
      'node_modules/x/index.js',
      'a/node_modules/b.js',
      '.git/HEAD',
      '.env',
      '.cache/a.js',
      'a.js~',
      '.a.js.swp',
      'x.tmp',
      'README.md',
      'release.flag',
      '',
    ]) {
      expect(m.matches(p)).toBe(false);
    }
  });

  it('user globs add to the defaults; a glob with / matches the whole path', () => {
    const custom = reloadMatcher(['*.html', 'templates/*.txt'], ['generated', 'src/skip.ts']);
    expect(custom.matches('views/index.html')).toBe(true);
    expect(custom.matches('templates/a.txt')).toBe(true);
    expect(custom.matches('other/a.txt')).toBe(false);
    expect(custom.matches('app.mjs')).toBe(true);
    expect(custom.matches('generated/x.js')).toBe(false);
    expect(custom.matches('src/skip.ts')).toBe(false);
    expect(custom.matches('src/keep.ts')).toBe(true);
  });

  it('globToRegExp: * and ? stop at /, everything else is literal', () => {
    expect(globToRegExp('*.js').test('a.js')).toBe(true);
    expect(globToRegExp('*.js').test('a/b.js')).toBe(false);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
    expect(globToRegExp('a.c').test('abc')).toBe(false);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const literal = s.replace(/[*?]/g, '');
        expect(globToRegExp(literal).test(literal)).toBe(true);
      }),
    );
  });
});
