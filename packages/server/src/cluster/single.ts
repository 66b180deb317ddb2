import { listenUrls, reloadTls } from '../listen/attach.js';
import {
  type AccessLogFile,
  closeAccessLog,
  openAccessLog,
  reopenAccessLog,
} from '../log/access-log-file.js';
import { ExitCode } from './exit-codes.js';
import { removePidFile, writePidFile } from './pid-file.js';
import type { RunConfig, ServerLike } from './server-like.js';
import { onSignals } from './signals.js';

/**
 * Single-process mode (`--workers 1`): the app runs here, with the same signals as a master.
 * SIGTERM/SIGINT stop gracefully within `shutdownTimeout` (a second signal forces, exit 1);
 * SIGHUP reloads the TLS certificates (code reload needs workers).
 * Signal handlers are in place before startup begins, so a supervisor that signals right after
 * the "listening" line (or during startup) always gets the graceful path.
 * Resolves with the exit code once stopped.
 */
export async function runSingle(config: RunConfig): Promise<number> {
  const { options } = config;
  const log = config.log ?? ((line: string) => options.logStream.write(`pagi-server ${line}\n`));
  let server: ServerLike | undefined;
  let accessLog: AccessLogFile | undefined;
  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    off();
    void closeAccessLog(accessLog);
    if (options.pidFile !== null) removePidFile(options.pidFile, process.pid);
    resolveDone(code);
  };
  let started: Promise<boolean> = Promise.resolve(false);

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
    void started.then(async (ok) => {
      if (!ok || server === undefined) return; // startup failed or never ran: finished there
      try {
        await server.close();
        // Every line is on disk before the process exits.
        await closeAccessLog(accessLog);
        const cut = server.cutOnShutdown ?? 0;
        if (cut > 0)
          log(`stopped; ${cut} connection(s) were cut at the shutdown timeout (exit ${ExitCode.CUT})`);
        finish(cut > 0 ? ExitCode.CUT : ExitCode.OK);
      } catch (error) {
        log(`stop failed: ${(error as Error).message}`);
        finish(ExitCode.FORCED);
      } finally {
        if (guard !== undefined) clearTimeout(guard);
      }
    });
  };

  const off = onSignals({
    SIGTERM: () => stop('SIGTERM'),
    SIGINT: () => stop('SIGINT'),
    SIGHUP: () => {
      if (server === undefined) return;
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
    SIGUSR1: () => reopenAccessLog(accessLog, log, `pid ${process.pid}`),
  });

  started = (async () => {
    try {
      const app = await config.loadApp();
      accessLog = openAccessLog(options, log);
      server = config.createServer(app, accessLog ? { ...options, accessLogStream: accessLog } : options);
      await server.listen();
      return true;
    } catch (error) {
      log(`startup failed: ${(error as Error).message}`);
      finish(ExitCode.STARTUP);
      return false;
    }
  })();
  if (await started) {
    if (options.pidFile !== null) writePidFile(options.pidFile, process.pid);
    if (!stopping) {
      log(
        `listening on ${listenUrls(server!.httpServer, server!.url).join(', ')} (pid ${process.pid}, single process)`,
      );
    }
  }
  return done;
}
