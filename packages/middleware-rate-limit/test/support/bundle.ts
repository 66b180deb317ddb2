/** Bundles a TypeScript fixture (package and workspace sources included) into one .mjs a child process can run. */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function bundleFixture(entry: string): Promise<string> {
  // tsup's own esbuild (not a direct dependency of this package)
  const tsupRequire = createRequire(createRequire(import.meta.url).resolve('tsup'));
  const esbuild = tsupRequire('esbuild') as { build(options: Record<string, unknown>): Promise<unknown> };
  // Inside the package so ioredis and ws resolve from its node_modules.
  const outDir = join(packageRoot, 'node_modules/.cache/pagi-rate-limit');
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) {
    const file = join(outDir, name);
    if (Date.now() - statSync(file).mtimeMs > 3_600_000) rmSync(file, { force: true });
  }
  const outfile = join(outDir, `${basename(entry, '.ts')}-${process.pid}-${Date.now()}.mjs`);
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@pagi/source'],
    external: ['ioredis', 'ws'],
    logLevel: 'error',
  });
  return outfile;
}
