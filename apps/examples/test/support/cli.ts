/**
 * The real `pagi-server` CLI and an example app, bundled from TypeScript source (esbuild with the
 * `@pagi/source` condition, as the server's own production tests do), so a multi-process test
 * needs no prior `turbo build`. Bundles go to node_modules/.cache here, where `ws` and `ioredis`
 * resolve.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { bundleFixture } from '@pagi/tsconfig/bundle-fixture';

const root = resolve(import.meta.dirname, '../..');

function bundle(entry: string, name: string): Promise<string> {
  return bundleFixture(entry, { packageRoot: root, external: ['ws', 'ioredis'], name });
}

export const bundleCli = () => bundle(join(root, '../../packages/server/src/cli.ts'), 'cli');
export const bundleApp = (file: string) => bundle(file, 'app');

export interface RunningCli {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Spawns `node <cli> ...args` and waits for its `listening on` line. */
export async function runCli(cli: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunningCli> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('exit', () => {
    for (const waiter of [...waiters]) waiter();
  });
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpMatchArray>((resolvePromise, reject) => {
      const check = () => {
        const match = text.match(pattern);
        if (match || child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          clearTimeout(timer);
          if (match) resolvePromise(match);
          else reject(new Error(`pagi-server exited before ${pattern}:\n${text}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${pattern}:\n${text}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const running: RunningCli = {
    child,
    output: () => text,
    waitFor,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  try {
    await waitFor(/listening on /);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}
