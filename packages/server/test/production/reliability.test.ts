import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureStopped, fixtureApp, type Spawned, spawnServer } from './harness.js';
import { startLoad } from './load.js';

let server: Spawned | undefined;
afterEach(async () => {
  await ensureStopped(server);
  server = undefined;
});

/** Counts printed for the report (vitest shows them with --reporter=verbose or in CI logs). */
function report(name: string, r: { ok: number; failed: number; errors: string[] }): void {
  process.stdout.write(
    `[reliability] ${name}: ok=${r.ok} failed=${r.failed}${r.failed ? ` (${r.errors.slice(0, 3).join('; ')})` : ''}\n`,
  );
}

describe('under continuous load', { timeout: 60_000 }, () => {
  it('SIGHUP rolling restart replaces every worker with zero failed requests', async () => {
    server = await spawnServer({ port: 0, workers: 2, keepAliveTimeout: 2000 });
    await server.waitFor(/worker 2 \(pid \d+\) listening/);
    const load = startLoad(server.url, { concurrency: 8 });
    await load.waitForOk(300);
    const before = new Set(load.result.pids);
    server.child.kill('SIGHUP');
    await server.waitFor(/rolling restart finished/, 30_000);
    await load.waitForOk(300);
    const result = await load.stop();
    report('SIGHUP rolling restart', result);
    expect(result.failed).toBe(0);
    const fresh = [...result.pids].filter((p) => !before.has(p));
    expect(fresh.length).toBeGreaterThanOrEqual(2);
  });

  it('--max-requests recycles workers gracefully with zero failed requests', async () => {
    server = await spawnServer({
      port: 0,
      workers: 2,
      maxRequests: 150,
      maxRequestsJitter: 15,
      keepAliveTimeout: 2000,
    });
    await server.waitFor(/worker 2 \(pid \d+\) listening/);
    const load = startLoad(server.url, { concurrency: 8 });
    // ~1000 requests over 2 workers with a budget of ~150 each: several recycles.
    await load.waitForOk(1000, 40_000);
    const result = await load.stop();
    report('max-requests recycling', result);
    const recycles = (server.output().match(/recycling/g) ?? []).length;
    process.stdout.write(
      `[reliability] max-requests recycles=${recycles} workers-seen=${result.pids.size}\n`,
    );
    expect(recycles).toBeGreaterThanOrEqual(2);
    expect(result.pids.size).toBeGreaterThanOrEqual(3);
    expect(result.failed).toBe(0);
  }, 60_000);

  it('kill -9 of one worker loses at most the requests it held in flight; the server keeps serving', async () => {
    const concurrency = 8;
    server = await spawnServer({ port: 0, workers: 2 });
    await server.waitFor(/worker 2 \(pid \d+\) listening/);
    const load = startLoad(server.url, { concurrency });
    await load.waitForOk(300);
    const victim = [...load.result.pids][0]!;
    process.kill(victim, 'SIGKILL');
    await server.waitFor(new RegExp(`pid ${victim}\\) exited unexpectedly`));
    await load.waitForOk(500);
    const result = await load.stop();
    report('kill -9 one worker', result);
    // A worker holds at most one request per client connection routed to it.
    expect(result.failed).toBeLessThanOrEqual(concurrency);
    expect(result.ok).toBeGreaterThanOrEqual(800);
  });
});

describe('graceful stop with requests in flight', { timeout: 60_000 }, () => {
  for (const workers of [1, 2]) {
    it(`workers=${workers}: in-flight requests complete, new connections are refused, exit 0`, async () => {
      server = await spawnServer({ port: 0, workers, shutdownTimeout: 10_000 });
      if (workers > 1) await server.waitFor(/worker 2 \(pid \d+\) listening/);
      const agent = new Agent({ connections: 4 });
      const inflight = Array.from({ length: 4 }, () =>
        request(`${server!.url}/slow?ms=1500`, { dispatcher: agent }).then(async (r) => ({
          status: r.statusCode,
          body: await r.body.text(),
        })),
      );
      // Each request logs when the app starts it: all four are in flight before the signal.
      await server.waitFor(/(slow start \d+[\s\S]*){4}/);
      server.child.kill('SIGTERM');
      // every worker has closed its listeners (single process: the stop begins synchronously)
      if (workers > 1) await server.waitFor(/(stopped accepting[\s\S]*){2}/);
      else await server.waitFor(/SIGTERM/);
      const refused = new Agent({ pipelining: 0 });
      await expect(request(`${server.url}/`, { dispatcher: refused })).rejects.toThrow();
      await refused.close();
      const results = await Promise.all(inflight);
      for (const r of results) expect(r).toEqual({ status: 200, body: 'slow done' });
      expect((await server.exited).code).toBe(0);
      await agent.close();
    });
  }
});

describe('code reload', { timeout: 60_000 }, () => {
  it('SIGHUP loads new application code in the new workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagi-reload-'));
    const app = join(dir, 'app.mjs');
    copyFileSync(fixtureApp, app);
    server = await spawnServer({ port: 0, workers: 2 }, { app });
    await server.waitFor(/worker 2 \(pid \d+\) listening/);
    const get = async () =>
      JSON.parse(await (await request(`${server!.url}/info`, { reset: true })).body.text());
    expect((await get()).version).toBe('v1');
    writeFileSync(app, readFileSync(app, 'utf8').replace("?? 'v1'", "?? 'v2'"));
    server.child.kill('SIGHUP');
    await server.waitFor(/rolling restart finished/, 30_000);
    expect((await get()).version).toBe('v2');
    expect((await get()).version).toBe('v2');
  });
});
