// Test support: bundles a TypeScript entry (workspace packages taken from their source through
// the `@pagi/source` condition) into one .mjs that a child process can run, so multi-process
// tests need no prior build. One definition for every package's cross-process tests.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';

/** Left out of every bundle: ws' optional native helpers stay optional. */
const ALWAYS_EXTERNAL = ['bufferutil', 'utf-8-validate'];
const HOUR = 3_600_000;

export async function bundleFixture(entry, { packageRoot, external = [], name } = {}) {
  if (!packageRoot) throw new TypeError('bundleFixture(): expected options.packageRoot');
  // tsup's own esbuild: tsup is the build tool of every package, esbuild is not a direct dependency.
  const tsupRequire = createRequire(createRequire(import.meta.url).resolve('tsup'));
  const esbuild = tsupRequire('esbuild');
  // Inside the calling package, so its external dependencies resolve from its node_modules.
  const outDir = join(packageRoot, 'node_modules/.cache/pagi-fixtures');
  mkdirSync(outDir, { recursive: true });
  // Bundles of earlier runs (an hour old or more) are dead weight.
  for (const file of readdirSync(outDir)) {
    const path = join(outDir, file);
    try {
      if (Date.now() - statSync(path).mtimeMs > HOUR) rmSync(path, { force: true });
    } catch {} // another test file removed it first
  }
  const stem = name ?? basename(entry).replace(/\.[cm]?[jt]s$/, '');
  const outfile = join(outDir, `${stem}-${process.pid}-${Date.now()}.mjs`);
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@pagi/source'],
    external: [...ALWAYS_EXTERNAL, ...external],
    // CommonJS dependencies bundled in call require(): give the ESM bundle one.
    banner: {
      js: "import { createRequire as __pagiCreateRequire } from 'node:module'; const require = __pagiCreateRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return outfile;
}
