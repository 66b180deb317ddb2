#!/usr/bin/env node
// Checks the publish metadata of every public package under packages/ (docs/releasing.md):
// repository/homepage/bugs derived from the root package.json's repository (the one place the
// URL is written), keywords, publishConfig.access, CHANGELOG.md in `files`, `@pagi/spec` as a
// peer dependency whose range the workspace's spec satisfies (docs/versioning.md), and every
// private workspace package in the changesets `ignore` list.
// `--write` fills the derived fields (repository, homepage, bugs, publishConfig, files) in place,
// for a package just scaffolded; the rest needs a human.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const write = process.argv.includes('--write');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

const rootPkg = readJson(join(root, 'package.json'));
const repoUrl = rootPkg.repository?.url;
/** `git+https://github.com/o/r.git` → `https://github.com/o/r`. */
const web = repoUrl?.replace(/^git\+/, '').replace(/\.git$/, '');
const problems = [];
if (!repoUrl) problems.push('package.json (root): `repository.url` is missing');
if (!existsSync(join(root, 'LICENSE'))) problems.push('LICENSE is missing at the repository root');

/** Every workspace package.json: [folder relative to root, manifest]. */
function workspacePackages() {
  const found = [];
  for (const group of ['packages', 'apps', 'tooling']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const file = join(base, name, 'package.json');
      if (existsSync(file)) found.push([relative(root, join(base, name)), file]);
    }
  }
  return found;
}

const specVersion = readJson(join(root, 'packages/spec/package.json')).version;

/**
 * The version the pending changesets will give spec (docs/versioning.md rule 3: a package that
 * starts using something new raises its floor to the spec version that first ships it, before
 * that version is cut). Reads the `'@pagi/spec': patch|minor|major` lines of `.changeset/*.md`.
 */
function pendingSpecVersion() {
  const order = ['patch', 'minor', 'major'];
  let bump = -1;
  const dir = join(root, '.changeset');
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.md') || name === 'README.md') continue;
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, name), 'utf8'))?.[1] ?? '';
    const level = /^["']@pagi\/spec["']\s*:\s*(patch|minor|major)\s*$/m.exec(front)?.[1];
    if (level !== undefined) bump = Math.max(bump, order.indexOf(level));
  }
  return bump === -1 ? specVersion : semver.inc(specVersion, order[bump]);
}
const pendingVersion = pendingSpecVersion();
const ignored = new Set(readJson(join(root, '.changeset/config.json')).ignore ?? []);

for (const [dir, file] of workspacePackages()) {
  const pkg = readJson(file);
  const where = `${dir}/package.json`;
  if (pkg.private) {
    if (!ignored.has(pkg.name))
      problems.push(`${where}: private ${pkg.name} is not in .changeset/config.json "ignore"`);
    continue;
  }
  if (!dir.startsWith('packages/')) problems.push(`${where}: a public package outside packages/`);
  const derived = {
    repository: { type: 'git', url: repoUrl, directory: dir },
    homepage: `${web}/tree/main/${dir}#readme`,
    bugs: { url: `${web}/issues` },
    publishConfig: { ...pkg.publishConfig, access: 'public' },
    files: pkg.files?.includes('CHANGELOG.md') ? pkg.files : [...(pkg.files ?? ['dist']), 'CHANGELOG.md'],
  };
  let changed = false;
  for (const [key, want] of Object.entries(derived)) {
    if (JSON.stringify(pkg[key]) === JSON.stringify(want)) continue;
    if (write) {
      pkg[key] = want;
      changed = true;
    } else {
      problems.push(`${where}: "${key}" should be ${JSON.stringify(want)} (run with --write)`);
    }
  }
  if (changed) writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  if (pkg.license !== 'MIT') problems.push(`${where}: "license" should be "MIT"`);
  if (pkg.type !== 'module') problems.push(`${where}: "type" should be "module" (the packages are ESM-only)`);
  if (!Array.isArray(pkg.keywords) || !pkg.keywords.includes('pagi')) {
    problems.push(`${where}: "keywords" should list "pagi" and what the package is about`);
  }
  if (pkg.name === '@pagi/spec') continue;
  // docs/versioning.md: spec is a peer, never a dependency, so one copy serves every package.
  if (pkg.dependencies?.['@pagi/spec']) {
    problems.push(`${where}: @pagi/spec belongs in "peerDependencies", not "dependencies"`);
  }
  // Among our packages, only spec at run time: an app takes what else it needs (a channel layer)
  // from its caller, typed by spec's contract, and tests with the real one as a devDependency.
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (name.startsWith('@pagi/') && name !== '@pagi/spec') {
      problems.push(
        `${where}: runtime dependency on ${name}: packages depend at run time on @pagi/spec alone (take it as an option typed by spec, and list it in "devDependencies" for tests)`,
      );
    }
  }
  const peer = pkg.peerDependencies?.['@pagi/spec'];
  if (peer === undefined) continue;
  const range = semver.validRange(peer);
  if (range === null || peer.startsWith('workspace:')) {
    problems.push(`${where}: peer @pagi/spec "${peer}" is not a plain semver range`);
  } else if (!semver.satisfies(specVersion, peer) && !semver.satisfies(pendingVersion, peer)) {
    problems.push(
      `${where}: peer @pagi/spec "${peer}" accepts neither the workspace's spec ${specVersion} nor the pending ${pendingVersion}`,
    );
  } else if (semver.satisfies(`${semver.major(specVersion) + 1}.0.0`, peer)) {
    problems.push(`${where}: peer @pagi/spec "${peer}" needs an upper bound below the next spec major`);
  }
  if (!pkg.devDependencies?.['@pagi/spec']?.startsWith('workspace:')) {
    problems.push(
      `${where}: add "@pagi/spec": "workspace:^" to "devDependencies" (builds and tests use the workspace copy)`,
    );
  }
}

if (problems.length > 0) {
  console.error(`package metadata: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('package metadata: ok');
