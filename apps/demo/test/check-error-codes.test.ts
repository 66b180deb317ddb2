import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../tooling/scripts/check-error-codes.mjs',
);
const made: string[] = [];

/** A throwaway repo: `files` maps relative paths to contents. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pagi-codes-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const run = (root: string) => spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('check-error-codes.mjs', () => {
  it('lists every undocumented code with the files using it, and exits 1', () => {
    const root = fixture({
      'packages/a/src/errors.ts': "super('PAGI_ERR_ALPHA', m); super('PAGI_ERR_BETA', m);",
      'packages/b/src/deep/x.ts': "code === 'PAGI_ERR_BETA'",
      'packages/b/node_modules/dep/index.js': "'PAGI_ERR_IGNORED_DEP'",
      'packages/b/dist/index.js': "'PAGI_ERR_IGNORED_DIST'",
      'docs/errors.md': '| `PAGI_ERR_ALPHA` | … |\n| `PAGI_ERR_BETAX` | … |\n',
    });
    const res = run(root);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('PAGI_ERR_BETA  (packages/a/src/errors.ts, packages/b/src/deep/x.ts)');
    expect(res.stderr).not.toContain('PAGI_ERR_ALPHA');
    expect(res.stderr).not.toContain('IGNORED');
  });

  it('prints OK and exits 0 when every code is documented', () => {
    const root = fixture({
      'packages/a/src/errors.ts': "super('PAGI_ERR_ALPHA', m);",
      'docs/errors.md': 'PAGI_ERR_ALPHA\n',
    });
    const res = run(root);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/OK, all 1 error codes/);
  });

  it('fails when docs/errors.md is missing', () => {
    const res = run(fixture({ 'packages/a/src/x.ts': '' }));
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('docs/errors.md to exist');
  });
});
