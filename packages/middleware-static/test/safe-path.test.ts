import { join, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitRequestPath } from '../src/index.js';

const ROOT = join(sep, 'srv', 'www');

describe('splitRequestPath', () => {
  it('splits, dropping empty segments, and flags dotfiles', () => {
    expect(splitRequestPath('//etc//passwd')).toEqual({
      kind: 'segments',
      segments: ['etc', 'passwd'],
      dotfile: false,
    });
    expect(splitRequestPath('/')).toEqual({ kind: 'segments', segments: [], dotfile: false });
    expect(splitRequestPath('/a/.env')).toMatchObject({ dotfile: true });
    expect(splitRequestPath('/a..b/c...')).toMatchObject({ kind: 'segments', dotfile: false });
  });

  it('refuses dot segments, backslashes and NUL', () => {
    for (const bad of ['/..', '/a/../b', '/./a', '/a\\b', '/a\0b', '..', '/a/..'])
      expect(splitRequestPath(bad)).toEqual({ kind: 'bad' });
  });

  it('property: whatever the path, an accepted one joins to a path inside the root', () => {
    const piece = fc.constantFrom('/', '.', '..', '\\', '\0', 'a', '%2e', '.env', 'é', ' ', '~');
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 12 }), (parts) => {
        const verdict = splitRequestPath(parts.join(''));
        if (verdict.kind === 'bad') return;
        for (const s of verdict.segments) {
          expect(s).not.toBe('');
          expect(s).not.toMatch(/[/\\\0]/);
          expect(s === '.' || s === '..').toBe(false);
        }
        const full = join(ROOT, ...verdict.segments);
        expect(full === ROOT || full.startsWith(ROOT + sep)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
