import type { ServerResponse } from 'node:http';
import { listenUrls, stopAccepting } from '../listen/attach.js';
import {
  type AccessLogFile,
  closeAccessLog,
  openAccessLog,
  reopenAccessLog,
} from '../log/access-log-file.js';
import { ExitCode } from './exit-codes.js';
import { startHeartbeat } from './heartbeat.js';
import { isPagiMessage, type WorkerMessage } from './messages.js';
import { requestBudget } from './request-budget.js';
import type { RunConfig, ServerLike } from './server-like.js';
import { onSignals } from './signals.js';

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

/** Resolves when the server has no open connection, or after `limit` ms, whichever first. */
function drained(count: () => number, limit: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = Date.now() + limit;
    const poll = () => {
      if (count() === 0 || Date.now() >= deadline) resolve();
      else setTimeout(poll, 20);
    };
    poll();
  });
}

/**
 * One worker of a multi-process server. Runs its own lifespan (`is_worker: true`, `worker_num`),
 * beats over IPC so a blocked event loop is noticed, asks to be recycled after its request budget,
 * and stops on SIGTERM (graceful stop) or a `retire` message (drain first: the replacement is
 * already listening). SIGINT, SIGHUP and the TTIN/TTOU pair are ignored here: a terminal Ctrl-C
 * hits the whole process group, and only the master coordinates (server-parity.md §5.5 item 3).
 * Resolves with the exit code.
 */
export async function runWorker(config: RunConfig): Promise<number> {
  const { options } = config;
  // Heartbeats start once the worker listens: importing a big app or a slow lifespan startup is
  // not a hang (lifespanStartupTimeout bounds the latter).
  let stopBeat = () => {};
  let server: ServerLike | undefined;
  let accessLog: AccessLogFile | undefined;
  // A worker being retired answers every further request with `Connection: close`, so clients
  // move their keep-alive connections to the other workers instead of racing a close.
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  let started: Promise<boolean> = Promise.resolve(false);

  const cleanup = () => {
    stopBeat();
    off();
    void closeAccessLog(accessLog);
    process.off('message', onMessage);
    process.off('disconnect', onDisconnect);
  };
  const stop = async (drain: boolean) => {
    if (stopping) return;
    stopping = true;
    if (!(await started) || server === undefined) return; // startup failed: already finished
    const s = server;
    await stopAccepting(s.httpServer);
    config.log?.(`worker ${options.workerNum} (pid ${process.pid}) stopped accepting`);
    if (drain) {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      const began = Date.now();
      await drained(
        () => s.connectionCount,
        Math.min(options.keepAliveTimeout + 500, options.shutdownTimeout || 30_000),
      );
      config.log?.(
        `worker ${options.workerNum} (pid ${process.pid}) drained for ${Date.now() - began} ms; ${s.connectionCount} connection(s) left`,
      );
    }
    let code: number = ExitCode.OK;
    await s.close().then(
      () => {
        // The master turns this into its own exit code when it is stopping (exit-codes.ts).
        if ((s.cutOnShutdown ?? 0) > 0) code = ExitCode.CUT;
      },
      () => {
        code = ExitCode.FORCED;
      },
    );
    // Every line is on disk before the process exits.
    await closeAccessLog(accessLog);
    cleanup();
    resolveDone(code);
  };
  const onMessage = (message: unknown) => {
    if (isPagiMessage(message) && message.pagi === 'retire') void stop(true);
  };
  // The master is gone: nobody will route connections here or coordinate a stop.
  const onDisconnect = () => void stop(false);
  // Every handler is in place before anything can report readiness: the master may signal the
  // moment it hears 'ready', possibly before this process runs another line.
  const off = onSignals({
    SIGTERM: () => void stop(false),
    SIGINT: () => {},
    SIGHUP: () => {},
    SIGTTIN: () => {},
    SIGTTOU: () => {},
    // The master forwards it: reopen the access log file (log rotation).
    SIGUSR1: () =>
      reopenAccessLog(accessLog, (l) => config.log?.(l), `worker ${options.workerNum} (pid ${process.pid})`),
  });
  process.on('message', onMessage);
  process.on('disconnect', onDisconnect);

  started = (async () => {
    try {
      const app = await config.loadApp();
      // Opened after the SIGUSR1 handler is in place: a reopen before this point finds the new file.
      accessLog = openAccessLog(options, (l) => config.log?.(l));
      server = config.createServer(app, accessLog ? { ...options, accessLogStream: accessLog } : options);
      await server.listen();
      return true;
    } catch (error) {
      send({ pagi: 'startup-failed', message: (error as Error).message });
      cleanup();
      resolveDone(ExitCode.STARTUP);
      return false;
    }
  })();
  if (!(await started) || server === undefined) return done;
  stopBeat = startHeartbeat(options.heartbeatTimeout, () => send({ pagi: 'heartbeat' }));

  let served = 0;
  const budget = requestBudget(options.maxRequests, options.maxRequestsJitter);
  const ready = server;
  ready.httpServer.on('request', (_req, res) => {
    if (draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
    });
    res.once('finish', () => {
      served += 1;
      if (budget > 0 && served === budget) send({ pagi: 'recycle', served });
    });
  });
  if (!stopping) send({ pagi: 'ready', url: listenUrls(ready.httpServer, ready.url).join(', ') });
  return done;
}
