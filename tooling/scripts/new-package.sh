#!/usr/bin/env bash
# Scaffolds packages/<name> with the house layout: src/, test/, tsup build, vitest, README.
# Usage: tooling/scripts/new-package.sh <folder-name> "<description>"
set -euo pipefail
name="$1"; desc="$2"
dir="packages/$name"
[ -e "$dir" ] && { echo "$dir exists" >&2; exit 1; }
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "@pagi/$name",
  "version": "0.1.0",
  "description": "$desc",
  "type": "module",
  "license": "MIT",
  "keywords": ["pagi"],
  "engines": { "node": ">=20.18" },
  "sideEffects": false,
  "files": ["dist"],
  "exports": {
    ".": {
      "@pagi/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "scripts": {
    "build": "tsup",
    "typecheck": "tsc -p tsconfig.json",
    "lint": "biome check src test",
    "test": "vitest run"
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "@pagi/tsconfig/base.json",
  "include": ["src", "test", "*.ts"]
}
JSON
cat > "$dir/tsup.config.ts" <<'TS'
import { pagiTsup } from '@pagi/tsconfig/tsup';
import { defineConfig } from 'tsup';

export default defineConfig(pagiTsup());
TS
cat > "$dir/vitest.config.ts" <<'TS'
import { pagiVitest } from '@pagi/tsconfig/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig(pagiVitest);
TS
echo "# @pagi/$name" > "$dir/README.md"
echo "$desc" >> "$dir/README.md"
echo "export {};" > "$dir/src/index.ts"
# repository, homepage, bugs, publishConfig and CHANGELOG.md in files, from the root package.json
# (docs/releasing.md); a package that imports @pagi/spec adds it as a peer (docs/versioning.md).
node tooling/scripts/check-package-metadata.mjs --write
