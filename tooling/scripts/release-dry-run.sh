#!/usr/bin/env bash
# The release workflow (.github/workflows/release.yml) run locally without publishing
# (docs/releasing.md): in a temporary copy of the working tree, so the checkout is never
# modified, `changeset version` applies the pending changesets, the package metadata check runs
# on the versioned manifests (every @pagi/spec peer range must still accept the new spec), and
# `pnpm publish -r --dry-run` packs what would be published.
# Needs the packages built (dist/ is copied, not rebuilt).
# Usage: tooling/scripts/release-dry-run.sh [--pack-check]
#   --pack-check  also run tooling/scripts/pack-check.mjs on the versioned copy: the newest
#                 packages installed beside the oldest @pagi/spec their peer ranges still claim.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pnpm_spec="$(node -p "require('$root/package.json').packageManager")"
copy="$(mktemp -d "${TMPDIR:-/tmp}/pagi-release-dry-run-XXXXXX")"
trap 'rm -rf "$copy"' EXIT

# Tracked and new (not ignored) files, plus the built dist/ folders; node_modules is shared.
cd "$root"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$copy" 2>/dev/null || true
for dist in packages/*/dist; do [ -d "$dist" ] && cp -R --parents "$dist" "$copy"; done
# Each package's node_modules holds relative links (to ../../spec, ../../node_modules/.pnpm):
# copied as links they resolve inside the copy, so pnpm reads the versioned workspace manifests.
for modules in packages/*/node_modules; do [ -d "$modules" ] && cp -R --no-dereference --parents "$modules" "$copy"; done
ln -s "$root/node_modules" "$copy/node_modules"
before="$(git status --porcelain)"

cd "$copy"
echo "release-dry-run: changeset version (in $copy)"
node "$root/node_modules/@changesets/cli/bin.js" version
echo "release-dry-run: versions after changeset version"
for manifest in packages/*/package.json; do
  node -e 'const p=require(process.argv[1]); if(!p.private) console.log(`  ${p.name}@${p.version}  peer @pagi/spec: ${p.peerDependencies?.["@pagi/spec"] ?? "-"}`)' "$copy/$manifest"
done
node tooling/scripts/check-package-metadata.mjs

echo "release-dry-run: pnpm publish -r --dry-run"
# --no-git-checks: the copy is not a git checkout. The registry is asked which versions exist.
if ! npx --yes "$pnpm_spec" publish -r --dry-run --no-git-checks --access public >"$copy/publish.log" 2>&1; then
  cat "$copy/publish.log" >&2
  echo "release-dry-run: pnpm publish --dry-run failed" >&2
  exit 1
fi
grep -E '^(\+ |npm notice (filename|total files))' "$copy/publish.log" | sed 's/^/  /'
[ "$(grep -c '^+ ' "$copy/publish.log")" -gt 0 ] || { echo "release-dry-run: nothing would be published" >&2; exit 1; }

if [ "${1:-}" = "--pack-check" ]; then
  node tooling/scripts/pack-check.mjs
fi

# The checkout must be exactly as it was.
[ "$(cd "$root" && git status --porcelain)" = "$before" ] || { echo "release-dry-run: the checkout changed" >&2; exit 1; }
echo "release-dry-run: ok"
