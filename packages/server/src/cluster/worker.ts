import { listenUrls, stopAccepting } from '../listen/attach.js';
import { ExitCode } from './exit-codes.js';
import { startHeartbeat } from './heartbeat.js';
import { isPagiMessage, type WorkerMessage } from './messages.js';
import { requestBudget } from './request-budget.js';
import type { RunConfig } from './server-like.js';
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
  const off = onSignals({ SIGINT: () => {}, SIGHUP: () => {}, SIGTTIN: () => {}, SIGTTOU: () => {} });
  const stopBeat = startHeartbeat(options.heartbeatTimeout, () => send({ pagi: 'heartbeat' }));

  let server: ReturnType<RunConfig['createServer']>;
  try {
    const app = await config.loadApp();
    server = config.createServer(app, options);
    await server.listen();
  } catch (error) {
    send({ pagi: 'startup-failed', message: (error as Error).message });
    stopBeat();
    off();
    return ExitCode.STARTUP;
  }

  // A worker being retired answers every further request with `Connection: close`, so clients
  // move their keep-alive connections to the other workers instead of racing a close.
  let draining = false;
  let served = 0;
  const budget = requestBudget(options.maxRequests, options.maxRequestsJitter);
  const inFlight = new Set<import('node:http').ServerResponse>();
  server.httpServer.on('request', (_req, res) => {
    if (draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    res.once('finish', () => {
      served += 1;
      if (budget > 0 && served === budget) send({ pagi: 'recycle', served });
    });
  });

  send({ pagi: 'ready', url: listenUrls(server.httpServer, server.url).join(', ') });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (drain: boolean) => {
      if (stopping) return;
      stopping = true;
      await stopAccepting(server.httpServer);
      config.log?.(`worker ${options.workerNum} (pid ${process.pid}) stopped accepting`);
      if (drain) {
        draining = true;
        for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
        const began = Date.now();
        await drained(
          () => server.connectionCount,
          Math.min(options.keepAliveTimeout + 500, options.shutdownTimeout || 30_000),
        );
        config.log?.(
          `worker ${options.workerNum} (pid ${process.pid}) drained for ${Date.now() - began} ms; ${server.connectionCount} connection(s) left`,
        );
      }
      let code: number = ExitCode.OK;
      await server.close().catch(() => {
        code = ExitCode.FORCED;
      });
      stopBeat();
      off();
      offTerm();
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      resolve(code);
    };
    const onMessage = (message: unknown) => {
      if (isPagiMessage(message) && message.pagi === 'retire') void stop(true);
    };
    // The master is gone: nobody will route connections here or coordinate a stop.
    const onDisconnect = () => void stop(false);
    const offTerm = onSignals({ SIGTERM: () => void stop(false) });
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
  });
}
