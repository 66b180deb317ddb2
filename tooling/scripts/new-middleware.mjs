#!/usr/bin/env node
// Writes a complete `packages/middleware-<name>` package on the middleware kit
// (`@pagi/spec/middleware`): source, tests through @pagi/test, README (Install / Usage / Options /
// Errors / Compatibility), package.json with exports/types/files/license/repository, tsconfig,
// tsup and vitest configs, and a changeset. Start from it and replace the example behaviour.
//
//   pnpm new:middleware <name> ["<one-line description>"] [--root <repo root>]
//
// The name is kebab-case (`request-id`); the factory is its camelCase (`requestId`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** A package whose single-entry tsup and vitest configs every new package copies. */
const HOUSE = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/router');

/** `request-id` → `requestId`. */
function camel(name) {
  return name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** `request-id` → `RequestId`. */
function pascal(name) {
  const c = camel(name);
  return c[0].toUpperCase() + c.slice(1);
}

function parseArgs(argv) {
  const out = { root: resolve(dirname(fileURLToPath(import.meta.url)), '../..'), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') out.root = resolve(argv[++i] ?? '');
    else if (argv[i] === '--help' || argv[i] === '-h') out.help = true;
    else out.positional.push(argv[i]);
  }
  return out;
}

/** The repository URL for package.json: the root package's, else git's origin, else undefined. */
function repositoryUrl(root) {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    if (repo) return repo;
  } catch {}
  try {
    return (
      execFileSync('git', ['-C', root, 'remote', 'get-url', 'origin'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** `homepage` and `bugs` from the repository URL, as the metadata check derives them. */
function webLinks(repository, dir) {
  const web = repository.replace(/^git\+/, '').replace(/\.git$/, '');
  return { homepage: `${web}/tree/main/${dir}#readme`, bugs: { url: `${web}/issues` } };
}

export function files({ name, description, repository }) {
  const fn = camel(name);
  const Options = `${pascal(name)}Options`;
  const pkgName = `@pagi/middleware-${name}`;
  const dir = `packages/middleware-${name}`;
  const header = `x-${name}`;
  const pkg = {
    name: pkgName,
    version: '0.1.0',
    description,
    type: 'module',
    license: 'MIT',
    keywords: ['pagi', 'middleware', name],
    repository: { type: 'git', url: repository ?? 'TODO: the repository URL', directory: dir },
    // The derived fields tooling/scripts/check-package-metadata.mjs requires of a public package.
    ...(repository === undefined ? {} : webLinks(repository, dir)),
    engines: { node: '>=20.18' },
    sideEffects: false,
    files: ['dist', 'CHANGELOG.md'],
    publishConfig: { access: 'public' },
    exports: {
      '.': { '@pagi/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    types: './dist/index.d.ts',
    scripts: { build: 'tsup', typecheck: 'tsc -p tsconfig.json', lint: 'biome check .', test: 'vitest run' },
    // docs/versioning.md: spec is a peer with a floor (the kit first ships in 0.2.0) and a ceiling.
    peerDependencies: { '@pagi/spec': '>=0.2.0 <1' },
    devDependencies: { '@pagi/spec': 'workspace:^', '@pagi/test': 'workspace:^' },
  };
  const index = `import { checkHeader, type HeaderList, type Middleware, PagiValidationError } from '@pagi/spec';
import { defineMiddleware, editHeaders, setHeader } from '@pagi/spec/middleware';

export interface ${Options} {
  /** Value of the \`${header}\` response header. Default \`'on'\`. */
  value?: string;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['value']);

/**
 * ${description}
 *
 * @throws PagiValidationError for an unknown option or an unsafe header value (when applied).
 * @example
 * const app = compose(${fn}({ value: 'on' }))(router.app);
 */
export function ${fn}(options: ${Options} = {}): Middleware {
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(\`${fn}(): unknown option '\${key}'\`);
  }
  const value = options.value ?? 'on';
  checkHeader('${header}', value);
  const withHeader = (headers: HeaderList) => setHeader(headers, '${header}', value);
  // Only HTTP responses are touched; every other scope type passes through untouched.
  return defineMiddleware('${fn}', {
    http: (scope, receive, send, app) => app(scope, receive, editHeaders(send, withHeader)),
  });
}
`;
  const sharedCheck = `
// The shared checks every middleware runs: lifespan and unhandled scope types pass through
// untouched (so this file has no pass-through test of its own), the caller's scope is never
// mutated, a streamed body stays streamed, every send passes the spec's validator.
describeMiddlewareChecks('${fn}: the shared middleware checks of @pagi/test', ${fn}());
`;
  const test = `import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { ${fn} } from '../src/index.js';

/** Two body chunks, so a test can see the middleware did not buffer them into one. */
const chunked: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 201, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'one ', more: true });
  await send({ type: 'http.response.body', body: 'two' });
};

describe('${fn}', () => {
  it('sets ${header} and streams the body through unbuffered, status kept', async () => {
    const res = await new TestClient(${fn}({ value: 'yes' })(chunked)).get('/');
    expect(res.status).toBe(201);
    expect(res.header('${header}')).toBe('yes');
    expect(res.events.filter((e) => (e as { type: string }).type === 'http.response.body')).toHaveLength(2);
    expect(res.text).toBe('one two');
  });

  it('lets the inner app’s errors through unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(${fn}()(failing)).get('/')).rejects.toBe(boom);
  });

  it('refuses unknown options and unsafe values when applied, not per request', () => {
    expect(() => ${fn}({ valeu: 'x' } as never)).toThrow(/unknown option 'valeu'/);
    expect(() => ${fn}({ value: 'a\\r\\nb' })).toThrow(/CR/);
  });

  it('names its functions for stack traces', () => {
    const mw = ${fn}();
    expect(mw.name).toBe('${fn}');
    expect(mw(chunked).name).toBe('${fn}');
  });
});
${sharedCheck}`;
  const exportsTest = `import { expect, it } from 'vitest';
import * as pkg from '../src/index.js';

// Guards the public surface: adding or removing an export must be a deliberate change here.
it('exports exactly the documented runtime names', () => {
  expect(Object.keys(pkg).sort()).toEqual(['${fn}']);
});
`;
  const readme = `# ${pkgName}

${description}

## Install

\`\`\`sh
pnpm add ${pkgName}
\`\`\`

## Usage

\`\`\`ts
import { compose } from '@pagi/spec/middleware';
import { ${fn} } from '${pkgName}';

export default compose(${fn}({ value: 'on' }))(router.app);
\`\`\`

\`${fn}(options?)\` returns a middleware \`(app) => app\`, like every PAGI middleware; stack several
with \`compose\` (the first listed is the outermost). It sets \`${header}\` on every HTTP response;
WebSocket, SSE and lifespan scopes pass through untouched. Bodies stream through unchanged.

## Options

| option | type | default | meaning |
|---|---|---|---|
| \`value\` | \`string\` | \`'on'\` | the \`${header}\` header value |

Options are checked when the middleware is applied: an unknown option or an unsafe value throws.

## Errors

| code | class | when |
|---|---|---|
| \`PAGI_ERR_VALIDATION\` | \`PagiValidationError\` | an unknown option, or a \`value\` with CR, LF, NUL or another control character (when applied) |

Errors thrown by the inner app pass through unchanged.

## Compatibility

Node.js ≥ 20.18, ESM only. Depends only on \`@pagi/spec\` (the middleware kit); works with any
PAGI server (\`@pagi/server\`) and with \`@pagi/test\`.
`;
  const changeset = `---
"${pkgName}": minor
---
New package: \`${fn}()\`, ${description.charAt(0).toLowerCase()}${description.slice(1)}
`;
  return {
    [`${dir}/package.json`]: `${JSON.stringify(pkg, null, 2)}\n`,
    [`${dir}/tsconfig.json`]: `{\n  "extends": "@pagi/tsconfig/base.json",\n  "include": ["src", "test", "*.ts"]\n}\n`,
    // The build and test configs are the house ones, copied from a package of this repository.
    [`${dir}/tsup.config.ts`]: readFileSync(join(HOUSE, 'tsup.config.ts'), 'utf8'),
    [`${dir}/vitest.config.ts`]: readFileSync(join(HOUSE, 'vitest.config.ts'), 'utf8'),
    [`${dir}/src/index.ts`]: index,
    [`${dir}/test/${name}.test.ts`]: test,
    [`${dir}/test/exports.test.ts`]: exportsTest,
    [`${dir}/README.md`]: readme,
    [`.changeset/middleware-${name}.md`]: changeset,
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const [name, description = `A PAGI middleware: ${'`'}${args.positional[0]}${'`'}.`] = args.positional;
  if (args.help || name === undefined) {
    console.log('usage: pnpm new:middleware <name> ["<one-line description>"] [--root <repo root>]');
    process.exit(name === undefined && !args.help ? 2 : 0);
  }
  if (!NAME.test(name)) {
    console.error(
      `new-middleware: expected a kebab-case name such as 'request-id', got ${JSON.stringify(name)}`,
    );
    process.exit(2);
  }
  const dir = join(args.root, 'packages', `middleware-${name}`);
  if (existsSync(dir)) {
    console.error(`new-middleware: ${dir} exists already`);
    process.exit(1);
  }
  const repository = repositoryUrl(args.root);
  const out = files({ name, description, repository });
  for (const [path, text] of Object.entries(out)) {
    const full = join(args.root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  // Long names can push a line past the formatter's width: format what was written, when biome is here.
  const biome = join(args.root, 'node_modules/.bin/biome');
  if (existsSync(biome)) {
    try {
      execFileSync(biome, ['format', '--write', dir], { stdio: 'ignore' });
    } catch {}
  }
  console.log(
    `new-middleware: wrote ${Object.keys(out).length} files for @pagi/middleware-${name} in ${dir}`,
  );
  if (repository === undefined)
    console.warn('new-middleware: no repository URL found; fill in package.json "repository.url"');
  console.log('next: pnpm install, then edit src/index.ts, the tests and the README');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
