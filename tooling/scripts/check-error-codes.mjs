#!/usr/bin/env node
/**
 * Fails when an error code used in `packages/*\/src` is missing from `docs/errors.md`, so the
 * one table of codes (house style rule 4) cannot drift from the code.
 *
 *   node tooling/scripts/check-error-codes.mjs [--root <repo dir>]
 *
 * Exit 0 and "OK: …" when every code is documented; exit 1 listing each missing code with the
 * files that use it. `--root` exists for this script's own tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CODE = /\bPAGI_ERR_[A-Z0-9_]+\b/g;
const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;

function parseRoot(argv) {
  const i = argv.indexOf('--root');
  if (i === -1) return resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error('check-error-codes: expected a directory after --root, got nothing');
    process.exit(2);
  }
  return resolve(value);
}

/** Every source file under `dir`, skipping dependency and build folders. */
function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.isFile() && SOURCE.test(entry.name)) yield path;
  }
}

/** code → the files (relative to root) that mention it. */
function codesInPackages(root) {
  const packages = join(root, 'packages');
  const used = new Map();
  if (!existsSync(packages)) return used;
  for (const pkg of readdirSync(packages, { withFileTypes: true })) {
    const src = join(packages, pkg.name, 'src');
    if (!pkg.isDirectory() || !existsSync(src)) continue;
    for (const file of sourceFiles(src)) {
      for (const [code] of readFileSync(file, 'utf8').matchAll(CODE)) {
        if (!used.has(code)) used.set(code, new Set());
        used.get(code).add(relative(root, file));
      }
    }
  }
  return used;
}

const root = parseRoot(process.argv.slice(2));
const docPath = join(root, 'docs', 'errors.md');
if (!existsSync(docPath)) {
  console.error(`check-error-codes: expected ${relative(root, docPath)} to exist, got no such file`);
  process.exit(1);
}
const documented = new Set(Array.from(readFileSync(docPath, 'utf8').matchAll(CODE), (m) => m[0]));
const used = codesInPackages(root);
const missing = [...used.keys()].filter((code) => !documented.has(code)).sort();

if (missing.length > 0) {
  console.error(
    `check-error-codes: ${missing.length} error code(s) used in packages/*/src but not in docs/errors.md:`,
  );
  for (const code of missing) console.error(`  ${code}  (${[...used.get(code)].sort().join(', ')})`);
  process.exit(1);
}
console.log(
  `check-error-codes: OK, all ${used.size} error codes used in packages/*/src are in docs/errors.md`,
);
