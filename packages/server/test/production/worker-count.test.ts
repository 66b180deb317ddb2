/**
 * SIGTTIN/SIGTTOU racing a worker's boot or a rolling restart, over real processes and the real
 * CLI (where a worker imports the app before its IPC handler exists, so a `retire` sent to a
 * booting worker used to be lost: it served on and was SIGKILLed at the shutdown timeout).
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureStopped, fixtureApp, type Spawned, spawnCli } from './harness.js';
import { startLoad } from './load.js';

let server: Spawned | undefined;
afterEach(async () => {
  await ensureStopped(server);
  server = undefined;
});

/** The master's live child processes (its workers), from the OS, not from its own count. */
function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${server?.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startCli(): Promise<Spawned> {
  const s = await spawnCli(
    [
      '--port',
      '0',
      '--workers',
      '2',
      '--shutdown-timeout',
      '3',
      '--keep-alive-timeout',
      '0.5',
      '--access-log',
      'off',
      fixtureApp,
    ],
    // Every worker takes 400 ms to import the app, so a signal sent 150 ms after a fork (or as
    // soon as its process appears) reliably lands while it boots, before its IPC handler exists.
    { env: { PAGI_TEST_IMPORT_DELAY_MS: '400' } },
  );
  await s.waitFor(/listening on .*2 workers/);
  return s;
}

describe('worker count changes queue behind boots and rolling restarts', { timeout: 90_000 }, () => {
  it('SIGTTIN then SIGTTOU 150 ms later: the new worker boots, one drains gracefully, no request fails', async () => {
    server = await startCli();
    const master = server.child.pid!;
    const load = startLoad(server.url, { concurrency: 4 });
    await load.waitForOk(20);
    server.child.kill('SIGTTIN');
    await sleep(150);
    server.child.kill('SIGTTOU');
    // The retired worker leaves by itself (exit code 0), not by the master's SIGKILL.
    const retired = await server.waitFor(/\(pid (\d+)\) (retired \(code \d+\)|still alive after)/, 30_000);
    expect(retired[2]).toBe('retired (code 0)');
    await until('2 live workers', () => (childPids(master).length === 2 ? true : undefined));
    await load.waitForOk(20);
    // A second SIGTTOU: the master's count and the processes agree on one.
    server.child.kill('SIGTTOU');
    await server.waitFor(/removing worker \d+ \(now 1\)/);
    await until('1 live worker', () => (childPids(master).length === 1 ? true : undefined));
    await load.waitForOk(20);
    const result = await load.stop();
    expect(result.errors).toEqual([]);
    expect(server.output()).not.toMatch(/SIGKILL/);
  });

  it('SIGTTOU during a rolling restart: applied once the roll is done, gracefully, no request fails', async () => {
    server = await startCli();
    const master = server.child.pid!;
    const original = new Set(childPids(master));
    expect(original.size).toBe(2);
    const load = startLoad(server.url, { concurrency: 4 });
    await load.waitForOk(20);
    server.child.kill('SIGHUP');
    // The second replacement of the roll has been forked (and is booting): now SIGTTOU.
    const seen = new Set<number>();
    await until('the second replacement worker', () => {
      for (const pid of childPids(master)) if (!original.has(pid)) seen.add(pid);
      return seen.size >= 2 ? true : undefined;
    });
    server.child.kill('SIGTTOU');
    await server.waitFor(/rolling restart finished/, 30_000);
    await until('1 live worker', () => {
      const live = childPids(master);
      return live.length === 1 && !original.has(live[0]!) ? true : undefined;
    });
    await load.waitForOk(20);
    const result = await load.stop();
    expect(result.errors).toEqual([]);
    expect(server.output()).not.toMatch(/SIGKILL/);
    // Every worker that left, left on its own after draining.
    expect(server.output()).not.toMatch(/retired \(code [1-9]/);
  });
});
