/**
 * Real-process helpers for the production suite: bundle the test entry once, spawn servers,
 * wait for their "listening" line, send signals, wait for exit. Waits are on events (log lines,
 * exit), each with a generous deadline so a broken server fails the test instead of hanging.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFixture } from '@pagi/tsconfig/bundle-fixture';

const here = dirname(fileURLToPath(import.meta.url));
export const packageRoot = resolve(here, '../..');
export const fixtureApp = join(here, 'fixtures/app.mjs');

/** Runtime dependencies of the server, resolved from its node_modules at run time. */
const EXTERNAL = ['ws', 'busboy', 'mime-types', 'cookie'];

let built: Promise<string> | undefined;

/** Bundles fixtures/serve-entry.ts (TypeScript source of the server included) into one .mjs. */
export function buildEntry(): Promise<string> {
  built ??= bundleFixture(join(here, 'fixtures/serve-entry.ts'), {
    packageRoot,
    external: EXTERNAL,
    name: 'serve',
  });
  return built;
}

let builtCli: Promise<string> | undefined;

/** Bundles the real `pagi-server` CLI (src/cli.ts) the way the package build does. */
export function buildCli(): Promise<string> {
  builtCli ??= bundleFixture(join(packageRoot, 'src/cli.ts'), {
    packageRoot,
    external: EXTERNAL,
    name: 'cli',
  });
  return builtCli;
}

/** Spawns the real CLI: `pagi-server <args...>`. */
export async function spawnCli(args: string[], spawnOptions: SpawnOptions = {}): Promise<Spawned> {
  return spawnServer({}, { ...spawnOptions, argv: [await buildCli(), ...args] });
}

export interface Spawned {
  child: ChildProcess;
  /** everything the process wrote to stderr/stdout so far */
  output(): string;
  /** resolves with the first regexp match in the output (waits for it) */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url: string;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  app?: string;
  /** extra stdio slots after 0-2 (index 3 = fd 3 in the child) */
  extraFds?: number[];
  /** don't wait for the listening line */
  noWait?: boolean;
  /** own process group (for group signals like a terminal's Ctrl-C) */
  detached?: boolean;
  /** the command line; default: the bundled test entry with the app and JSON options */
  argv?: string[];
}

/** Spawns the server and waits until it logs `listening on <url>`. */
export async function spawnServer(options: object, spawnOptions: SpawnOptions = {}): Promise<Spawned> {
  const entry = await buildEntry();
  const argv = spawnOptions.argv ?? [entry, spawnOptions.app ?? fixtureApp, JSON.stringify(options)];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...spawnOptions.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(spawnOptions.extraFds ?? [])],
    detached: spawnOptions.detached ?? false,
  });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const w of [...waiters]) w();
      resolve({ code, signal });
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = text.match(pattern);
        if (match) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(match);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`process exited before ${pattern}; output:\n${text}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${pattern}; output:\n${text}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const spawned: Spawned = { child, output: () => text, waitFor, exited, url: '' };
  if (!spawnOptions.noWait) {
    const match = await waitFor(/listening on (\S+?)(,| \()/);
    spawned.url = match[1]!;
  }
  return spawned;
}

/** Kills a still-running server at the end of a test (cleanup only). */
export async function ensureStopped(spawned: Spawned | undefined): Promise<void> {
  if (spawned === undefined) return;
  if (spawned.child.exitCode === null && spawned.child.signalCode === null) {
    spawned.child.kill('SIGKILL');
    await spawned.exited;
  }
}

/** Worker pids the master reported, in order of appearance. */
export function workerPids(output: string): number[] {
  return [...output.matchAll(/worker \d+ \(pid (\d+)\)/g)].map((m) => Number(m[1]));
}
