/**
 * Which changed paths trigger a reload: uvicorn's `--reload-include` / `--reload-exclude` rules,
 * simplified. A path under `node_modules` or `.git` never does; an exclude glob matching any
 * segment of the path (a file or one of its directories) rules it out; otherwise an include
 * glob must match its file name. Globs: `*` any run of characters but `/`, `?` one character;
 * a glob containing `/` is matched against the whole relative path instead.
 */

export const DEFAULT_RELOAD_INCLUDE: readonly string[] = [
  '*.mjs',
  '*.js',
  '*.cjs',
  '*.ts',
  '*.mts',
  '*.cts',
  '*.json',
];
export const DEFAULT_RELOAD_EXCLUDE: readonly string[] = ['.*', '*~', '*.swp', '*.tmp'];
const NEVER: ReadonlySet<string> = new Set(['node_modules', '.git']);

/** A glob as an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const c of glob) {
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export interface ReloadMatcher {
  /** true when a change to `relativePath` (with `/` separators) should reload the app. */
  matches(relativePath: string): boolean;
}

export function reloadMatcher(include: readonly string[], exclude: readonly string[]): ReloadMatcher {
  const inc = [...DEFAULT_RELOAD_INCLUDE, ...include].map((g) => ({
    whole: g.includes('/'),
    re: globToRegExp(g),
  }));
  const exc = [...DEFAULT_RELOAD_EXCLUDE, ...exclude].map((g) => ({
    whole: g.includes('/'),
    re: globToRegExp(g),
  }));
  return {
    matches(relativePath) {
      const segments = relativePath.split('/').filter((s) => s !== '' && s !== '.');
      if (segments.length === 0) return false;
      for (const s of segments) if (NEVER.has(s)) return false;
      const path = segments.join('/');
      for (const { whole, re } of exc) {
        if (whole ? re.test(path) : segments.some((s) => re.test(s))) return false;
      }
      const name = segments[segments.length - 1]!;
      return inc.some(({ whole, re }) => re.test(whole ? path : name));
    },
  };
}
