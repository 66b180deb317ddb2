// Publish-time manifest edits (pnpm >= 10.28 calls beforePacking on `pnpm pack` / `pnpm publish`).
// The `@pagi/source` export condition points at src/, which is for the workspace only (typecheck
// and vitest resolve each other's TypeScript through it) and is not shipped: strip it everywhere.
'use strict';

const SOURCE_CONDITION = '@pagi/source';

function stripCondition(node) {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === SOURCE_CONDITION) continue;
    out[key] = stripCondition(value);
  }
  return out;
}

module.exports = {
  hooks: {
    beforePacking(pkg) {
      if (pkg.exports !== undefined) pkg.exports = stripCondition(pkg.exports);
      return pkg;
    },
  },
};
