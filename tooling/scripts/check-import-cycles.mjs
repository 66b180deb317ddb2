#!/usr/bin/env node
// Fails when a package's source has an import cycle (type-only imports included: a cycle of
// types is still two files that can't be read one after the other). Relative imports only.
// Usage: node tooling/scripts/check-import-cycles.mjs [dir ...]   (default: packages/server/src)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*['"](\.[^'"]+)['"]/g;

function sourceFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every cycle in the relative-import graph under `root`, each as a list of paths. */
export function findImportCycles(root) {
  const files = sourceFiles(resolve(root));
  const edges = new Map();
  for (const file of files) {
    const targets = [];
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1].replace(/\.js$/, '.ts'));
      if (edges.has(target) || files.includes(target)) targets.push(target);
    }
    edges.set(file, targets);
  }
  const cycles = [];
  const state = new Map(); // 1 = on the stack, 2 = done
  const stack = [];
  const visit = (file) => {
    state.set(file, 1);
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 1) cycles.push(stack.slice(stack.indexOf(next)).concat(next));
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 2);
  };
  for (const file of files) if (state.get(file) === undefined) visit(file);
  return cycles.map((cycle) => cycle.map((path) => relative(process.cwd(), path)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const roots = process.argv.length > 2 ? process.argv.slice(2) : ['packages/server/src'];
  let failed = false;
  for (const root of roots) {
    for (const cycle of findImportCycles(root)) {
      failed = true;
      console.error(`import cycle: ${cycle.join(' -> ')}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
