import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// A private build, so other suites that rebuild dist/ (clean: true) can't pull it away mid-test.
const outDir = `${root}node_modules/.cache/pagi-cli-test-${process.pid}`;
const cli = `${outDir}/cli.js`;
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

beforeAll(() => {
  // The tests run the built CLI, as users do.
  execFileSync(
    'npx',
    ['tsup', 'src/cli.ts', '--no-config', '--format', 'esm', '--target', 'node20', '--out-dir', outDir],
    { cwd: root, stdio: 'ignore' },
  );
}, 60_000);

interface Running {
  child: ChildProcess;
  stderr: () => string;
  url: Promise<string>;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

function run(args: string[]): Running {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  let out = '';
  let onUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    onUrl = resolve;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    const m = /pagi-server listening on (http:\/\/\S+)/.exec(err);
    if (m) onUrl(m[1]!);
  });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err + out, url, exit };
}

describe('pagi-server CLI', () => {
  it('serves an ESM default export on port 0, logs access lines, and stops gracefully on SIGTERM', async () => {
    const r = run(['--port', '0', fixture('esm-app.mjs')]);
    const url = await r.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    const res = await request(`${url}/path?q=1`);
    expect(await res.body.text()).toBe('esm default');
    await expect
      .poll(() => r.stderr())
      .toMatch(/127\.0\.0\.1 - - \[[^\]]+\] "GET \/path\?q=1 HTTP\/1\.1" 200 11/);
    const slow = request(`${url}/slow`);
    await expect.poll(() => r.stderr()).toContain('fixture: slow');
    r.child.kill('SIGTERM');
    const body = await (await slow).body.text();
    expect(body).toBe('slow done');
    expect(await r.exit).toBe(0);
    expect(r.stderr()).toContain('fixture: lifespan shutdown');
  });

  it.each([
    ['esm-app.mjs:named', 'esm named'],
    ['cjs-app.cjs', 'cjs default'],
    ['cjs-app.cjs:other', 'cjs named'],
  ])('loads %s', async (target, expected) => {
    const [file, name] = target.split(':');
    const r = run([
      '--port',
      '0',
      '--access-log',
      'off',
      name ? `${fixture(file!)}:${name}` : fixture(file!),
    ]);
    const res = await request(await r.url);
    expect(await res.body.text()).toBe(expected);
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(0);
  });

  it.each([
    [['--port', '0', 'missing-app.mjs'], /no such file/],
    [['--port', '0', fixture('broken.mjs')], /cannot load app module/],
    [['--port', '0', fixture('no-export.mjs')], /exports no app function/],
    [['--port', '0', `${fixture('esm-app.mjs')}:notAFunction`], /no function export 'notAFunction'/],
    [['--port', 'eighty', fixture('esm-app.mjs')], /--port expects a non-negative number/],
    [['--lifespan', 'sometimes', fixture('esm-app.mjs')], /--lifespan expects one of auto, on, off/],
    [['--bogus', fixture('esm-app.mjs')], /Unknown option '--bogus'/],
    [[], /expected an app module/],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const r = run(args);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(message);
  });

  it('exits 3 with the app message when lifespan startup fails', async () => {
    const r = run(['--port', '0', fixture('failing-startup.mjs')]);
    expect(await r.exit).toBe(3);
    expect(r.stderr()).toContain('cannot reach the database');
    expect(r.stderr()).not.toContain('listening on');
  });

  it('skips lifespan with --no-lifespan', async () => {
    const r = run(['--port', '0', '--no-lifespan', fixture('failing-startup.mjs')]);
    await r.url;
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('applies limit options given in seconds and bytes', async () => {
    const r = run([
      '--port',
      '0',
      '--max-body-size',
      '10',
      '--headers-timeout',
      '0.2',
      fixture('esm-app.mjs'),
    ]);
    const url = await r.url;
    const res = await request(url, { method: 'POST', body: 'x'.repeat(11) });
    expect(res.statusCode).toBe(413);
    await res.body.text();
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('prints help and version', async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stderr()).toContain('Usage: pagi-server [options] <module>[:export]');
    expect(help.stderr()).toContain('--max-body-size');
    const version = run(['--version']);
    expect(await version.exit).toBe(0);
    expect(version.stderr()).toMatch(/^pagi-server \d+\.\d+\.\d+/);
  });

  it('forces exit 1 on a second signal while requests are still running', async () => {
    const r = run(['--port', '0', '--shutdown-timeout', '30', fixture('esm-app.mjs')]);
    const url = await r.url;
    const pending = request(`${url}/hang`).catch(() => undefined);
    await expect.poll(() => r.stderr()).toContain('fixture: hanging');
    r.child.kill('SIGTERM');
    await expect.poll(() => r.stderr()).toContain('shutting down gracefully');
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(1);
    await pending;
  });
});
