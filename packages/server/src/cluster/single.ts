import { listenUrls, reloadTls } from '../listen/attach.js';
import { ExitCode } from './exit-codes.js';
import { removePidFile, writePidFile } from './pid-file.js';
import type { RunConfig } from './server-like.js';
import { onSignals } from './signals.js';

/**
 * Single-process mode (`--workers 1`): the app runs here, with the same signals as a master.
 * SIGTERM/SIGINT stop gracefully within `shutdownTimeout` (a second signal forces, exit 1);
 * SIGHUP reloads the TLS certificates (code reload needs workers).
 * Resolves with the exit code once stopped.
 */
export async function runSingle(config: RunConfig): Promise<number> {
  const { options } = config;
  const log = config.log ?? ((line: string) => options.logStream.write(`pagi-server ${line}\n`));
  const app = await config.loadApp();
  const server = config.createServer(app, options);
  try {
    await server.listen();
  } catch (error) {
    log(`startup failed: ${(error as Error).message}`);
    return ExitCode.STARTUP;
  }
  if (options.pidFile !== null) writePidFile(options.pidFile, process.pid);
  log(
    `listening on ${listenUrls(server.httpServer, server.url).join(', ')} (pid ${process.pid}, single process)`,
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const finish = (code: number) => {
      off();
      if (options.pidFile !== null) removePidFile(options.pidFile, process.pid);
      resolve(code);
    };
    const stop = (signal: string) => {
      if (stopping) {
        log(`${signal} again: forcing stop`);
        finish(ExitCode.FORCED);
        return;
      }
      stopping = true;
      log(`${signal} received, shutting down gracefully (at most ${options.shutdownTimeout} ms)`);
      // The server cuts what is left at shutdownTimeout itself; this timer only catches a
      // lifespan shutdown or close that never settles.
      const guard =
        options.shutdownTimeout > 0
          ? setTimeout(() => {
              log(`stop did not finish within ${options.shutdownTimeout} ms: forcing`);
              finish(ExitCode.FORCED);
            }, options.shutdownTimeout + 1000)
          : undefined;
      guard?.unref();
      server.close().then(
        () => {
          if (guard !== undefined) clearTimeout(guard);
          finish(ExitCode.OK);
        },
        (error: Error) => {
          log(`stop failed: ${error.message}`);
          finish(ExitCode.FORCED);
        },
      );
    };
    const off = onSignals({
      SIGTERM: () => stop('SIGTERM'),
      SIGINT: () => stop('SIGINT'),
      SIGHUP: () => {
        try {
          const reloaded = reloadTls(server.httpServer, options);
          log(
            reloaded
              ? 'SIGHUP: TLS certificates reloaded; code reload needs --workers 2 or more'
              : 'SIGHUP: nothing to reload in single-process mode (no TLS); code reload needs --workers 2 or more',
          );
        } catch (error) {
          log(`SIGHUP: TLS reload failed, keeping the old certificates: ${(error as Error).message}`);
        }
      },
      SIGTTIN: () => log('SIGTTIN ignored: adding workers needs --workers 2 or more'),
      SIGTTOU: () => log('SIGTTOU ignored: removing workers needs --workers 2 or more'),
    });
  });
}
