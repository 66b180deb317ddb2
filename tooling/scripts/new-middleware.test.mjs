// Generates a middleware package with tooling/scripts/new-middleware.mjs into a scratch root
// inside the repository (so the root node_modules provides vitest, typescript and the presets),
// links @pagi/spec and @pagi/test into it, and runs the package's own typecheck, tests and lint.
//
//   npx vitest run --dir tooling/scripts      (root script: pnpm test:scripts)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(join(repo, '.new-middleware-test-'));
const bin = (name) => join(repo, 'node_modules/.bin', name);
const pkgDir = join(scratch, 'packages/middleware-request-id');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function generate(...args) {
  return execFileSync(
    process.execPath,
    [join(repo, 'tooling/scripts/new-middleware.mjs'), ...args, '--root', scratch],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

describe('pnpm new:middleware', () => {
  it('writes a complete package and a changeset', () => {
    generate('request-id', 'Adds a request id to every HTTP response.');
    for (const file of [
      'package.json',
      'README.md',
      'src/index.ts',
      'test/request-id.test.ts',
      'test/exports.test.ts',
      'tsconfig.json',
      'tsup.config.ts',
      'vitest.config.ts',
    ]) {
      expect(existsSync(join(pkgDir, file)), file).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@pagi/middleware-request-id',
      license: 'MIT',
      files: ['dist', 'CHANGELOG.md'],
      types: './dist/index.d.ts',
      keywords: ['pagi', 'middleware', 'request-id'],
      publishConfig: { access: 'public' },
      repository: { directory: 'packages/middleware-request-id' },
      peerDependencies: { '@pagi/spec': '>=0.2.0 <1' },
      devDependencies: { '@pagi/spec': 'workspace:^', '@pagi/test': 'workspace:^' },
    });
    expect(pkg.dependencies?.['@pagi/spec']).toBeUndefined();
    // The generated tests run the shared middleware checks of @pagi/test.
    const tests = readdirSync(join(pkgDir, 'test'))
      .map((file) => readFileSync(join(pkgDir, 'test', file), 'utf8'))
      .join('\n');
    expect(tests).toMatch(/describeMiddlewareChecks\(/);
    expect(pkg.exports['.']).toMatchObject({ types: './dist/index.d.ts', default: './dist/index.js' });
    const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
    expect([...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual([
      'Install',
      'Usage',
      'Options',
      'Errors',
      'Compatibility',
    ]);
    expect(readFileSync(join(scratch, '.changeset/middleware-request-id.md'), 'utf8')).toContain(
      '"@pagi/middleware-request-id": minor',
    );
    expect(readFileSync(join(pkgDir, 'src/index.ts'), 'utf8')).toContain("defineMiddleware('requestId'");
  });

  it('refuses a bad name and an existing package', () => {
    expect(() => generate('Bad_Name')).toThrow(/kebab-case/);
    expect(() => generate('request-id')).toThrow(/exists already/);
  });

  it('generates a package whose typecheck, tests and lint pass', () => {
    mkdirSync(join(pkgDir, 'node_modules/@pagi'), { recursive: true });
    for (const dep of ['spec', 'test'])
      symlinkSync(join(repo, 'packages', dep), join(pkgDir, 'node_modules/@pagi', dep));
    const run = (cmd, args) =>
      execFileSync(bin(cmd), args, { cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    run('tsc', ['-p', 'tsconfig.json', '--noEmit']);
    expect(run('vitest', ['run', '--reporter=dot'])).toMatch(/10 passed/);
    run('biome', ['check', 'src', 'test']);
  }, 120_000);
});
