/**
 * A graceful stop that had to cut in-flight requests at the shutdown timeout is not a clean stop:
 * the process exits 4 (ExitCode.CUT), in single-process mode and from the master when any worker
 * had to cut. A stop where everything finished in time still exits 0.
 */
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { usage } from '../../src/cli/parse-args.js';
import { ensureStopped, fixtureApp, type Spawned, spawnCli, spawnServer } from './harness.js';

let server: Spawned | undefined;
afterEach(async () => {
  await ensureStopped(server);
  server = undefined;
});

/** A request on its own connection; resolves with the status or the error. */
async function slow(url: string, ms: number): Promise<number | Error> {
  const agent = new Agent({ pipelining: 0 });
  try {
    const res = await request(`${url}/slow?ms=${ms}`, { dispatcher: agent });
    await res.body.text();
    return res.statusCode;
  } catch (error) {
    return error as Error;
  } finally {
    await agent.close().catch(() => {});
  }
}

describe('exit code after a graceful stop', { timeout: 60_000 }, () => {
  it.each([1, 2])(
    'workers=%i: a request outliving the shutdown timeout is cut and the process exits 4',
    async (workers) => {
      server = await spawnServer({ port: 0, workers, shutdownTimeout: 300 });
      if (workers > 1) await server.waitFor(/listening on .*workers/);
      const pending = slow(server.url, 20_000);
      await server.waitFor(/slow start/);
      server.child.kill('SIGTERM');
      expect((await server.exited).code, server.output()).toBe(4);
      expect(await pending).toBeInstanceOf(Error);
    },
  );

  it.each([1, 2])(
    'workers=%i: a request finishing within the shutdown timeout still exits 0',
    async (workers) => {
      server = await spawnServer({ port: 0, workers, shutdownTimeout: 5000 });
      if (workers > 1) await server.waitFor(/listening on .*workers/);
      const pending = slow(server.url, 300);
      await server.waitFor(/slow start/);
      server.child.kill('SIGTERM');
      expect((await server.exited).code, server.output()).toBe(0);
      expect(await pending).toBe(200);
    },
  );

  it('pagi-server --shutdown-timeout 0.3: exit 4 after a cut, and --help documents it', async () => {
    expect(usage()).toMatch(/Exit codes:[\s\S]*\n {2}4 {2}stopped, but in-flight requests were cut/);
    server = await spawnCli(['--port', '0', '--shutdown-timeout', '0.3', '--access-log', 'off', fixtureApp]);
    const pending = slow(server.url, 20_000);
    await server.waitFor(/slow start/);
    server.child.kill('SIGTERM');
    expect((await server.exited).code, server.output()).toBe(4);
    expect(await pending).toBeInstanceOf(Error);
  });
});
