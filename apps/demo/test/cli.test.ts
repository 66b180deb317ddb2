/**
 * The root `npm start` path: the built `pagi-server` CLI loading `app.mjs`, which imports the
 * built packages in plain Node (no TypeScript source condition). Needs `dist/` (turbo runs
 * `build` before `test`); skipped with a message when the CLI has not been built.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = join(root, 'packages/server/dist/cli.js');
const built = existsSync(cli);
if (!built) console.warn(`CLI test skipped: ${cli} is missing (run the build first)`);

let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

/** Resolves with the URL once the CLI says it is listening; rejects if it exits first. */
function listening(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`expected the CLI to listen, got exit ${code}: ${output}`)));
  });
}

describe('pagi-server apps/demo/app.mjs', () => {
  it.skipIf(!built)('serves the demo and shuts down cleanly on SIGTERM', async () => {
    child = spawn(process.execPath, [cli, '--host', '127.0.0.1', '--port', '0', 'apps/demo/app.mjs'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await listening(child);
    const health = await fetch(`${url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', online: 0, messages: 0 });
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('<title>PAGI chat demo</title>');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
