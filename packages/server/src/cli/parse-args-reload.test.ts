import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../options.js';
import { parseCliArgs, usage } from './parse-args.js';

describe('parseCliArgs: --reload', () => {
  it('maps --reload and the repeatable --reload-dir/--reload-include/--reload-exclude', () => {
    const r = parseCliArgs([
      '--reload',
      '--reload-dir',
      'src',
      '--reload-dir',
      'lib',
      '--reload-include',
      '*.html',
      '--reload-exclude',
      'dist',
      'app.mjs',
    ]);
    expect(r.options).toMatchObject({
      reload: true,
      reloadDir: ['src', 'lib'],
      reloadInclude: ['*.html'],
      reloadExclude: ['dist'],
    });
    expect(parseCliArgs(['app.mjs']).options.reload).toBeUndefined();
  });

  it('is in --help, off by default, and validated', () => {
    expect(usage()).toMatch(/--reload \/ --no-reload +\(default off\)/);
    expect(usage()).toMatch(/--reload-dir VALUE +\(default none; repeatable\)/);
    expect(resolveOptions({}).reload).toBe(false);
    expect(() => resolveOptions({ reloadDir: [''] })).toThrow(
      /'reloadDir' must be an array of non-empty strings/,
    );
    expect(() => resolveOptions({ reload: 'yes' as never })).toThrow(/'reload' must be a boolean/);
  });
});
