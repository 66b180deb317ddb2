import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureStopped, fixtureApp, type Spawned, spawnCli, spawnServer } from './harness.js';

let server: Spawned | undefined;
afterEach(async () => {
  await ensureStopped(server);
  server = undefined;
});

/** One request on a fresh connection, so the master's round-robin picks the next worker. */
async function fresh(url: string, init: Parameters<typeof request>[1] = {}) {
  const agent = new Agent({ pipelining: 0 });
  try {
    const res = await request(url, { ...init, dispatcher: agent });
    return { status: res.statusCode, body: await res.body.text() };
  } finally {
    await agent.close();
  }
}

async function info(
  url: string,
): Promise<{ pid: number; worker: { is_worker: boolean; worker_num: number | null } }> {
  return JSON.parse((await fresh(`${url}/info`)).body);
}

describe('process model', { timeout: 60_000 }, () => {
  it('single process: lifespan says is_worker false, worker_num null', async () => {
    server = await spawnServer({ port: 0 });
    expect((await info(server.url)).worker).toEqual({ is_worker: false, worker_num: null });
  });

  it('workers run their own lifespan with is_worker true and worker_num 1..N', async () => {
    server = await spawnServer({ port: 0, workers: 2 });
    const seen = new Map<number, number>();
    while (seen.size < 2) {
      const i = await info(server.url);
      expect(i.worker.is_worker).toBe(true);
      seen.set(i.worker.worker_num!, i.pid);
    }
    expect([...seen.keys()].sort()).toEqual([1, 2]);
    expect(new Set(seen.values()).size).toBe(2);
  });

  it('hands the whole resolved options object to workers (non-default settings hold in every worker)', async () => {
    server = await spawnServer({ port: 0, workers: 2, maxBodySize: 8, rootPath: '/mnt' });
    const pids = new Set<number>();
    while (pids.size < 2) {
      const i = (await info(server.url)) as Awaited<ReturnType<typeof info>> & { root_path: string };
      expect(i.root_path).toBe('/mnt');
      pids.add(i.pid);
    }
    // Round-robin over fresh connections alternates workers: both enforce the body limit.
    for (let i = 0; i < 4; i++) {
      expect((await fresh(`${server.url}/echo`, { method: 'POST', body: 'x'.repeat(64) })).status).toBe(413);
    }
  });

  it('writes the pid file after listening and removes it on exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagi-pid-'));
    const pidFile = join(dir, 'server.pid');
    server = await spawnServer({ port: 0, workers: 2, pidFile });
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(server.child.pid));
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('a worker that fails at startup in a loop stops the master with exit 3 instead of spinning', async () => {
    server = await spawnServer(
      { port: 0, workers: 2 },
      { env: { PAGI_TEST_FAIL_STARTUP: '1' }, noWait: true },
    );
    const { code } = await server.exited;
    expect(code).toBe(3);
    expect(server.output()).toMatch(/consecutive startup failures/);
    // Bounded respawns: far fewer than a respawn storm would produce.
    expect((server.output().match(/failed to start/g) ?? []).length).toBeLessThan(10);
  });

  it('single process: lifespan startup failure exits 3', async () => {
    server = await spawnServer({ port: 0 }, { env: { PAGI_TEST_FAIL_STARTUP: '1' }, noWait: true });
    expect((await server.exited).code).toBe(3);
    expect(server.output()).toMatch(/startup failed/);
  });

  it('respawns a crashed worker and keeps serving', async () => {
    server = await spawnServer({ port: 0, workers: 2 });
    await server.waitFor(/worker 2 \(pid \d+\) listening/);
    const victim = (await info(server.url)).pid;
    process.kill(victim, 'SIGKILL');
    await server.waitFor(new RegExp(`pid ${victim}\\) exited unexpectedly \\(signal SIGKILL\\)`));
    const replacement = await server.waitFor(
      /worker \d \(pid (\d+)\) listening[\s\S]*worker \d \(pid (\d+)\) listening[\s\S]*worker \d \(pid (\d+)\) listening/,
    );
    expect(Number(replacement[3])).not.toBe(victim);
    for (let i = 0; i < 4; i++) expect((await fresh(server.url)).status).toBe(200);
  });

  it('SIGKILLs and replaces a worker whose event loop is blocked past the heartbeat timeout', async () => {
    server = await spawnServer({ port: 0, workers: 2, heartbeatTimeout: 600 });
    await server.waitFor(/worker 2 \(pid \d+\) listening/);
    // This request blocks one worker's loop for 20 s; the monitor must not wait that long.
    const blocked = fresh(`${server.url}/block?ms=20000`).catch((e: Error) => e);
    const stuck = await server.waitFor(/worker \d \(pid (\d+)\) sent no heartbeat/);
    await server.waitFor(new RegExp(`pid ${stuck[1]}\\) exited unexpectedly \\(signal SIGKILL\\)`));
    expect(await blocked).toBeInstanceOf(Error);
    await server.waitFor(/(\(pid \d+\) listening[\s\S]*){3}/);
    expect((await fresh(server.url)).status).toBe(200);
  });

  it('SIGTTIN adds a worker, SIGTTOU removes one, never below one', async () => {
    server = await spawnServer({ port: 0, workers: 2 });
    server.child.kill('SIGTTIN');
    await server.waitFor(/worker 3 \(pid \d+\) listening/);
    server.child.kill('SIGTTOU');
    await server.waitFor(/removing worker 3 \(now 2\)/);
    server.child.kill('SIGTTOU');
    await server.waitFor(/removing worker 2 \(now 1\)/);
    server.child.kill('SIGTTOU');
    await server.waitFor(/SIGTTOU ignored/);
    expect((await info(server.url)).worker.worker_num).toBe(1);
  });

  it('Ctrl-C to the process group: workers ignore SIGINT, the master coordinates, every lifespan shuts down, exit 0', async () => {
    const mark = join(mkdtempSync(join(tmpdir(), 'pagi-mark-')), 'shutdown.log');
    server = await spawnServer(
      { port: 0, workers: 2 },
      { env: { PAGI_TEST_SHUTDOWN_MARK: mark }, detached: true },
    );
    await server.waitFor(/worker 2 \(pid \d+\) listening/);
    process.kill(-server.child.pid!, 'SIGINT');
    expect((await server.exited).code).toBe(0);
    expect(readFileSync(mark, 'utf8').trim().split('\n'), server.output()).toHaveLength(2);
  });

  it('a second signal forces the stop with exit 1', async () => {
    server = await spawnServer({ port: 0, workers: 2 });
    const slow = fresh(`${server.url}/slow?ms=20000`).catch((e: Error) => e);
    await server.waitFor(/slow start/);
    server.child.kill('SIGTERM');
    await server.waitFor(/SIGTERM: stopping/);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(1);
    await slow;
  });

  it('pagi-server CLI: --workers, --max-body-size, --pid-file and --heartbeat-timeout (seconds) reach every worker', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'pagi-cli-')), 'cli.pid');
    server = await spawnCli([
      '--port',
      '0',
      '--workers',
      '2',
      '--max-body-size',
      '8',
      '--root-path',
      '/mnt',
      '--heartbeat-timeout',
      '5',
      '--pid-file',
      pidFile,
      '--access-log',
      'off',
      fixtureApp,
    ]);
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(server.child.pid));
    const nums = new Set<number>();
    while (nums.size < 2) {
      const i = (await info(server.url)) as Awaited<ReturnType<typeof info>> & { root_path: string };
      expect(i.root_path).toBe('/mnt');
      nums.add(i.worker.worker_num!);
    }
    expect((await fresh(`${server.url}/echo`, { method: 'POST', body: 'x'.repeat(64) })).status).toBe(413);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });
});
