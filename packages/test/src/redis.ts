/**
 * `@pagi/test/redis`: private redis-server instances for tests: each test file starts its own on a free
 * loopback port (no shared service, no state leaking between files or between helpers running
 * tests at the same time), without persistence.
 *
 * Without a redis-server binary the Redis tests are skipped with the reason printed on a
 * developer machine, and FAIL in CI (`process.env.CI` set by `.ci/run`), where
 * `tooling/scripts/system-deps.sh` installs Debian's redis-server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, test } from 'vitest';

function findRedisServer(): string | undefined {
  // REDIS_SERVER names the binary explicitly (and lets the skip/fail path itself be tried out).
  if (process.env.REDIS_SERVER !== undefined) {
    try {
      accessSync(process.env.REDIS_SERVER, constants.X_OK);
      return process.env.REDIS_SERVER;
    } catch {
      return undefined;
    }
  }
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin', '/usr/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

export const redisServerPath: string | undefined = findRedisServer();
const MISSING = `redis-server not found (${process.env.REDIS_SERVER ?? 'PATH, /usr/bin'}; Debian: apt-get install redis-server)`;

/**
 * `describe` for tests that need a real Redis: runs them when redis-server exists; otherwise
 * fails in CI and skips (saying why) elsewhere.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerPath) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      test('redis-server is installed (required in CI)', () => {
        throw new Error(`${MISSING}; .ci/run installs it through tooling/scripts/system-deps.sh`);
      });
    });
  } else {
    console.warn(`[@pagi/test] skipping "${name}": ${MISSING}`);
    describe.skip(name, body);
  }
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  restart(): Promise<void>;
  /** Sends a signal: SIGSTOP makes a Redis that accepts bytes but never answers, SIGCONT wakes it. */
  signal(signal: NodeJS.Signals): void;
}

function launch(bin: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start within 10 s:\n${output}`)),
      10_000,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve(child);
      }
    });
    child.on('exit', (code) => fail(new Error(`redis-server exited with ${code}:\n${output}`)));
    child.on('error', fail);
  });
}

/** Starts a private redis-server on a free loopback port. Stop it with `kill()` in `afterAll`. */
export async function startRedis(): Promise<RedisProcess> {
  const bin = redisServerPath;
  if (!bin) throw new Error(MISSING);
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(bin, port);
    } catch (error) {
      if (attempt >= 3) throw error; // the free port was taken in between: try another
    }
  }
  let current: ChildProcess | undefined = child;
  const stop = async (): Promise<void> => {
    const proc = current;
    current = undefined;
    if (!proc || proc.exitCode !== null) return;
    proc.removeAllListeners('exit');
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: stop,
    async restart() {
      await stop();
      current = await launch(bin, port);
    },
    signal(signal) {
      current?.kill(signal);
    },
  };
}
