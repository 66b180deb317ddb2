import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isPagiError } from '@pagi/spec';
import { runServer } from '../cluster/run.js';
import { resolveOptions } from '../options.js';
import { createServer } from '../server.js';
import { AppLoadError, loadApp, splitTarget } from './load-app.js';
import { parseCliArgs, usage } from './parse-args.js';

/** Where the CLI talks and how it leaves; injectable for tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  exit(code: number): void;
  /** Registers signal handlers; the default uses `process.on`. */
  onSignal(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
}

/** The version in our package.json, found by walking up from this file (src/, dist/ or a copy). */
function version(): string {
  for (let up = '../'; up.length <= 18; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === '@pagi/server') return pkg.version ?? 'unknown';
    } catch {
      // not here; keep walking up
    }
  }
  return 'unknown';
}

/**
 * Runs `pagi-server`. Exit codes: 0 after a graceful stop, 1 on a forced stop or a listen error,
 * 2 for a usage error or an app module that can't be loaded, 3 when lifespan startup fails,
 * 4 after a graceful stop that had to cut in-flight requests at the shutdown timeout.
 *
 * @example
 * await runCli(process.argv.slice(2));
 */
export async function runCli(argv: string[], io: CliIo = defaultIo()): Promise<void> {
  let request: ReturnType<typeof parseCliArgs>;
  try {
    request = parseCliArgs(argv);
  } catch (error) {
    io.stderr.write(`pagi-server: ${(error as Error).message}\n${usage()}`);
    return io.exit(2);
  }
  if (request.help) {
    io.stdout.write(usage());
    return io.exit(0);
  }
  if (request.version) {
    io.stdout.write(`pagi-server ${version()}\n`);
    return io.exit(0);
  }
  if (request.target === undefined) {
    io.stderr.write(`pagi-server: expected an app module, got none\n${usage()}`);
    return io.exit(2);
  }
  let app: Awaited<ReturnType<typeof loadApp>>;
  try {
    app = await loadApp(request.target, io.cwd);
  } catch (error) {
    io.stderr.write(`pagi-server: ${error instanceof AppLoadError ? error.message : String(error)}\n`);
    return io.exit(2);
  }
  // The real process (not an in-memory io from a test) gets the production process model:
  // workers, the signal table, pid file, TLS reload (src/cluster/run.ts, docs/deployment.md).
  if (io.stdout === process.stdout) {
    let resolved: ReturnType<typeof resolveOptions>;
    try {
      resolved = resolveOptions({ logStream: io.stderr, accessLogStream: io.stderr, ...request.options });
    } catch (error) {
      io.stderr.write(`pagi-server: ${(error as Error).message}\n${usage()}`);
      return io.exit(2);
    }
    // --reload watches the app module's directory unless told otherwise (--reload-dir).
    if (resolved.reload && resolved.reloadDir.length === 0) {
      resolved.reloadDir = [dirname(resolve(io.cwd, splitTarget(request.target).module))];
    }
    // A worker runs this CLI again and so imports the module afresh: SIGHUP loads new code.
    return io.exit(await runServer({ options: resolved, loadApp: async () => app, createServer }));
  }
  let server: ReturnType<typeof createServer>;
  try {
    server = createServer(app, { logStream: io.stderr, accessLogStream: io.stderr, ...request.options });
  } catch (error) {
    io.stderr.write(`pagi-server: ${(error as Error).message}\n${usage()}`);
    return io.exit(2);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      io.stderr.write(`pagi-server: ${signal} again, exiting now\n`);
      io.exit(1);
      return;
    }
    stopping = true;
    io.stderr.write(`pagi-server: ${signal} received, shutting down gracefully\n`);
    server.close().then(
      () => io.exit(server.cutOnShutdown > 0 ? 4 : 0),
      (error: unknown) => {
        io.stderr.write(`pagi-server: shutdown failed: ${String(error)}\n`);
        io.exit(1);
      },
    );
  };
  io.onSignal('SIGINT', () => stop('SIGINT'));
  io.onSignal('SIGTERM', () => stop('SIGTERM'));
  try {
    await server.listen();
  } catch (error) {
    if (isPagiError(error) && error.code === 'PAGI_ERR_LIFESPAN_STARTUP') {
      io.stderr.write(`pagi-server: ${error.message}\n`);
      return io.exit(3);
    }
    io.stderr.write(
      `pagi-server: cannot listen on ${request.options.host ?? '127.0.0.1'}:${request.options.port ?? 8000}: ${(error as Error).message}\n`,
    );
    return io.exit(1);
  }
  io.stderr.write(`pagi-server listening on ${server.url}\n`);
}

function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    exit: (code) => process.exit(code),
    onSignal: (signal, handler) => {
      process.on(signal, handler);
    },
  };
}
