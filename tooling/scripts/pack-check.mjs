#!/usr/bin/env node
// Installs the packages the way a user gets them (docs/releasing.md): packs every public package
// under packages/ with pnpm (as `pnpm publish` would), checks each tarball's manifest and runs
// publint on it, installs the tarballs with plain npm into an empty folder, then imports every
// export, typechecks a consumer under `moduleResolution` node16 and bundler, runs the
// `pagi-server` bin, serves a request, and finally installs the newest packages beside the oldest
// `@pagi/spec` their peer ranges claim (docs/versioning.md). Then each package alone: an empty folder
// with only its tarball, `@pagi/spec`'s (and any other `@pagi/*` it needs), imported by name.
// Needs the packages built (`turbo run build`) and the npm registry for third-party deps.
// Usage: node tooling/scripts/pack-check.mjs [--keep]   (--keep leaves the temp folder)
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import semver from 'semver';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpm = ['npx', '--yes', rootPkg.packageManager];
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const publint = join(root, 'node_modules/publint/src/cli.js');
const work = mkdtempSync(join(tmpdir(), 'pagi-pack-check-'));
const started = Date.now();

function run(cmd, args, cwd, env) {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
  } catch (error) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
  }
}
function step(name) {
  console.log(`pack-check: ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}
function fail(message) {
  throw new Error(message);
}

/** The public packages: { dir, manifest } for packages/* that are not private. */
const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);

/** Every subpath a package exports, as import specifiers (`@pagi/spec`, `@pagi/spec/middleware`). */
function specifiers(manifest) {
  const subpaths = typeof manifest.exports === 'object' ? Object.keys(manifest.exports) : ['.'];
  return subpaths
    .filter((s) => s !== './package.json' && !s.includes('*'))
    .map((s) => (s === '.' ? manifest.name : `${manifest.name}/${s.slice(2)}`));
}

/** Every file target in an exports map. */
function exportTargets(node) {
  if (typeof node === 'string') return [node];
  if (node === null || typeof node !== 'object') return [];
  return Object.values(node).flatMap(exportTargets);
}

function checkTarball(tarball, { dir, manifest }) {
  const files = new Set(run('tar', ['-tzf', tarball], work).trim().split('\n'));
  const packed = JSON.parse(run('tar', ['-xOzf', tarball, 'package/package.json'], work));
  const text = JSON.stringify(packed);
  if (text.includes('@pagi/source')) fail(`${tarball}: the @pagi/source condition was published`);
  if (text.includes('workspace:')) fail(`${tarball}: a workspace: range was published`);
  // CHANGELOG.md exists once `changeset version` has written it (the release dry run's copy).
  const changelog = existsSync(join(dir, 'CHANGELOG.md')) ? ['package/CHANGELOG.md'] : [];
  for (const required of ['package/LICENSE', 'package/README.md', 'package/package.json', ...changelog]) {
    if (!files.has(required)) fail(`${tarball}: ${required.slice(8)} is missing`);
  }
  const targets = [...exportTargets(packed.exports), ...Object.values(packed.bin ?? {})];
  for (const target of targets) {
    if (!files.has(`package/${target.replace(/^\.\//, '')}`)) fail(`${tarball}: ${target} is missing`);
  }
  if (JSON.stringify(packed.peerDependencies) !== JSON.stringify(manifest.peerDependencies)) {
    fail(`${tarball}: peerDependencies changed on the way to the tarball`);
  }
  // publint reads the tarball itself; --strict makes a warning fail too.
  run(process.execPath, [publint, 'run', tarball, '--strict'], work);
}

/** An empty npm project with the given tarballs/specs installed. */
function install(name, specs) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], dir);
  // One @pagi/spec for everybody: a nested copy means a peer range was not met.
  const nested = run('npm', ['ls', '@pagi/spec', '--all', '--parseable'], dir).trim().split('\n');
  const copies = new Set(nested.filter(Boolean));
  if (copies.size !== 1) fail(`${name}: expected one @pagi/spec, found:\n  ${[...copies].join('\n  ')}`);
  return dir;
}

/**
 * Each package alone (issue 14): an empty folder with its tarball, the spec tarball and the
 * tarballs of any other `@pagi/*` it depends on, installed from npm's cache where it can
 * (`--prefer-offline`), then its main entry imported by name. A missing dependency or a peer only
 * the big install above satisfied shows up here. Four installs at a time: npm spends most of
 * its time waiting on the cache and the registry, not on the 2 CPUs.
 */
async function alone(packed) {
  const execAsync = promisify(execFile);
  const pagiDeps = (manifest) =>
    Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((n) => packed.has(n));
  const byName = new Map(packages.map((p) => [p.manifest.name, p.manifest]));
  const closure = (name, seen = new Set()) => {
    if (seen.has(name)) return seen;
    seen.add(name);
    for (const dep of pagiDeps(byName.get(name))) closure(dep, seen);
    return seen;
  };
  const queue = packages.filter(({ manifest }) => manifest.name !== '@pagi/spec');
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { manifest } = next;
      const name = manifest.name;
      const dir = join(work, `alone-${name.replace('@pagi/', '')}`);
      mkdirSync(dir);
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'alone', private: true, type: 'module' }),
      );
      const tarballs = [...closure(name).add('@pagi/spec')].map((n) => packed.get(n));
      // The main entry only: a subpath may need an optional peer (`@pagi/test/vitest`), which
      // the install of everything above brings and checks.
      const check = `const m = await import('${name}'); if (Object.keys(m).length === 0) throw new Error('${name} exports nothing');`;
      try {
        const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
        await execAsync('npm', [...args, ...tarballs], { cwd: dir });
        await execAsync(process.execPath, ['--input-type=module', '-e', check], { cwd: dir });
      } catch (error) {
        fail(`${name} alone (in ${dir}) failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
      }
      console.log(`  ${name}: installs and imports alone`);
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 4 }, worker));
  console.log(`pack-check: each package alone took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

/** Imports every export, serves one request in-process and one over a socket. */
function smoke(dir, names) {
  const imports = packages
    .filter(({ manifest }) => names.includes(manifest.name))
    .flatMap(({ manifest }) => specifiers(manifest));
  writeFileSync(
    join(dir, 'smoke.mjs'),
    `const specifiers = ${JSON.stringify(imports)};
for (const s of specifiers) {
  const mod = await import(s);
  if (Object.keys(mod).length === 0) throw new Error(s + ' exports nothing');
}
const app = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'hello ' + scope.path });
};
if (specifiers.includes('@pagi/test')) {
  const { TestClient } = await import('@pagi/test');
  const res = await new TestClient(app).get('/in-process');
  if (res.text !== 'hello /in-process') throw new Error('TestClient: ' + res.text);
}
if (specifiers.includes('@pagi/server')) {
  const { createServer } = await import('@pagi/server');
  const server = createServer(app, { port: 0, lifespan: 'off' });
  await server.listen();
  const text = await (await fetch(new URL('/socket', server.url))).text();
  await server.close();
  if (text !== 'hello /socket') throw new Error('server: ' + text);
}
console.log('imported ' + specifiers.join(', '));
`,
  );
  console.log(`  ${run(process.execPath, ['smoke.mjs'], dir).trim()}`);
}

/** A consumer typechecked under both resolution modes, against the shipped .d.ts (no skipLibCheck). */
function typecheck(dir, names) {
  const imports = packages
    .filter(({ manifest }) => names.includes(manifest.name))
    .flatMap(({ manifest }) => specifiers(manifest));
  const lines = imports.map((s, i) => `import * as m${i} from '${s}';`);
  writeFileSync(
    join(dir, 'consumer.ts'),
    `${lines.join('\n')}
import type { App } from '@pagi/spec';
export const app: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'hello' });
};
export const modules = [${imports.map((_, i) => `m${i}`).join(', ')}];
`,
  );
  const modes = {
    node16: { module: 'node16', moduleResolution: 'node16' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
  };
  for (const [mode, options] of Object.entries(modes)) {
    const config = `tsconfig.${mode}.json`;
    writeFileSync(
      join(dir, config),
      JSON.stringify({
        compilerOptions: {
          ...options,
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    run(process.execPath, [tsc, '-p', config], dir);
    console.log(`  types ok under moduleResolution ${mode}`);
  }
}

/** The `pagi-server` bin as npm links it. */
function bin(dir) {
  const help = run('npx', ['--no-install', 'pagi-server', '--help'], dir);
  if (!/pagi-server/.test(help)) fail(`pagi-server --help printed:\n${help}`);
  console.log('  pagi-server --help ok');
}

/**
 * The oldest @pagi/spec the newest packages claim (the highest floor of their peer ranges), as
 * something npm can install: the registry's copy once that version is published; the packed
 * spec when it is that version; otherwise the packed spec relabelled with the floor version,
 * which proves resolution (npm accepts the mix with one spec) but not the old API.
 */
function oldestSpec(specTarball, specVersion) {
  const floors = packages
    .map(({ manifest }) => manifest.peerDependencies?.['@pagi/spec'])
    .filter(Boolean)
    .map((range) => semver.minVersion(range).version);
  const floor = floors.sort(semver.compare).at(-1) ?? specVersion;
  if (floor === specVersion) return { floor, spec: undefined, how: `the workspace's spec is ${floor}` };
  try {
    run('npm', ['view', `@pagi/spec@${floor}`, 'version', '--json'], work);
    return { floor, spec: `@pagi/spec@${floor}`, how: 'from the registry' };
  } catch {
    const unpacked = join(work, 'relabel');
    mkdirSync(unpacked);
    run('tar', ['-xzf', specTarball, '-C', unpacked], work);
    const file = join(unpacked, 'package/package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    manifest.version = floor;
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    const relabelled = join(work, `pagi-spec-${floor}.tgz`);
    run('tar', ['-czf', relabelled, '-C', unpacked, 'package'], work);
    return { floor, spec: relabelled, how: `not published: the packed spec relabelled ${floor}` };
  }
}

try {
  step('pack');
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed = new Map();
  for (const { dir, manifest } of packages) {
    const out = run(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', tarballs], dir);
    const tarball = out.trim().split('\n').at(-1).trim();
    packed.set(manifest.name, tarball);
    checkTarball(tarball, { dir, manifest });
    console.log(`  ${manifest.name}@${manifest.version}: manifest and publint ok`);
  }

  step('npm install (newest of each package)');
  const all = [...packed.keys()];
  // Optional peers (vitest for `@pagi/test/vitest`) are what a user of that subpath has installed.
  const optionalPeers = packages.flatMap(({ manifest }) =>
    Object.entries(manifest.peerDependencies ?? {})
      .filter(([name]) => manifest.peerDependenciesMeta?.[name]?.optional === true)
      .map(([name, range]) => `${name}@${range}`),
  );
  // What a strict TypeScript consumer (skipLibCheck off) installs beside the packages: node's types,
  // and `redis-errors`' (ioredis's declarations import that untyped package; @pagi/channels' README).
  const consumerTypes = ['@types/node@^20', '@types/redis-errors@^1'];
  const app = install('app', [...packed.values(), ...optionalPeers, ...consumerTypes]);
  step('import and serve');
  smoke(app, all);
  step('typecheck');
  typecheck(app, all);
  step('bin');
  bin(app);

  const specVersion = packages.find(({ manifest }) => manifest.name === '@pagi/spec').manifest.version;
  const { floor, spec, how } = oldestSpec(packed.get('@pagi/spec'), specVersion);
  if (spec === undefined) {
    console.log(`pack-check: oldest spec claimed is ${floor}, ${how}: covered by the install above`);
  } else {
    step(`npm install (newest packages beside @pagi/spec ${floor}, ${how})`);
    const others = all.filter((n) => n !== '@pagi/spec').map((n) => packed.get(n));
    const old = install('oldest-spec', [...others, spec, ...optionalPeers, ...consumerTypes]);
    const installed = JSON.parse(readFileSync(join(old, 'node_modules/@pagi/spec/package.json'), 'utf8'));
    if (installed.version !== floor)
      fail(`oldest-spec: npm installed @pagi/spec ${installed.version}, not ${floor}`);
    smoke(old, all);
    typecheck(old, all);
  }
  step('each package alone (its tarball + the spec tarball)');
  await alone(packed);
  step('done');
} catch (error) {
  console.error(`pack-check failed: ${error.message}`);
  console.error(`(temp folder kept: ${work})`);
  process.exitCode = 1;
} finally {
  if (process.exitCode !== 1 && !process.argv.includes('--keep'))
    rmSync(work, { recursive: true, force: true });
}
