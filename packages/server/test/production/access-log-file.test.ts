/**
 * `--access-log-file PATH`: lines are appended to the file (by every worker), and after the file
 * is renamed away (logrotate) SIGUSR1 makes every process reopen the path, so new lines go to a
 * fresh file.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureStopped, fixtureApp, type Spawned, spawnCli } from './harness.js';

let server: Spawned | undefined;
afterEach(async () => {
  await ensureStopped(server);
  server = undefined;
});

/** A request on its own connection (so requests spread over the workers). */
async function get(url: string): Promise<number> {
  const agent = new Agent({ pipelining: 0 });
  try {
    const res = await request(url, { dispatcher: agent });
    await res.body.text();
    return res.statusCode;
  } finally {
    await agent.close();
  }
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** Waits until `path` holds a line with `marker`. */
async function lineIn(path: string, marker: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!read(path).includes(marker)) {
    if (Date.now() > deadline) throw new Error(`no ${marker} in ${path}: ${read(path)}\n${server?.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('--access-log-file', { timeout: 60_000 }, () => {
  it.each([1, 2])(
    'workers=%i: appends lines, and SIGUSR1 after a rename starts a new file',
    async (workers) => {
      const path = join(mkdtempSync(join(tmpdir(), 'pagi-alog-')), 'access.log');
      server = await spawnCli([
        '--port',
        '0',
        '--workers',
        String(workers),
        '--access-log-file',
        path,
        fixtureApp,
      ]);
      if (workers > 1) await server.waitFor(/listening on .*workers/);
      for (let i = 0; i < 6; i++) expect(await get(`${server.url}/before-${i}`)).toBe(200);
      for (let i = 0; i < 6; i++) await lineIn(path, `GET /before-${i} HTTP/1.1" 200`);
      // Access lines go to the file only, not to stderr.
      expect(server.output()).not.toContain('/before-0');

      renameSync(path, `${path}.1`);
      server.child.kill('SIGUSR1');
      await server.waitFor(new RegExp(`(access log \\S+ reopened[\\s\\S]*){${workers}}`));
      for (let i = 0; i < 6; i++) expect(await get(`${server.url}/after-${i}`)).toBe(200);
      for (let i = 0; i < 6; i++) await lineIn(path, `GET /after-${i} HTTP/1.1" 200`);
      expect(read(`${path}.1`)).not.toContain('/after-');
      expect(read(path)).not.toContain('/before-');

      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
      // Whole lines only: 6 in each file.
      expect(read(`${path}.1`).trimEnd().split('\n')).toHaveLength(6);
      expect(read(path).trimEnd().split('\n')).toHaveLength(6);
    },
  );

  it.each([1, 2])(
    'workers=%i: a path that cannot be opened fails at startup with exit 3',
    async (workers) => {
      const path = join(mkdtempSync(join(tmpdir(), 'pagi-alog-')), 'no-such-dir', 'access.log');
      server = await spawnCli(
        ['--port', '0', '--workers', String(workers), '--access-log-file', path, fixtureApp],
        {
          noWait: true,
        },
      );
      expect((await server.exited).code).toBe(3);
      expect(server.output()).toMatch(/ENOENT/);
    },
  );
});
