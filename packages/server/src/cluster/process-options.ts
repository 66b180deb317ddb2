import { ProcessOptionError } from './errors.js';

/** Process-model options (`--workers`, `--heartbeat-timeout`, `--max-requests`, `--pid-file`). */
export interface ProcessOptions {
  /** Worker processes. 1 (default) runs everything in this process, with no master. */
  workers?: number;
  /** A worker whose event loop sends no heartbeat for this long (ms) is SIGKILLed and replaced. 0 = off. Default 50_000. */
  heartbeatTimeout?: number;
  /** Recycle a worker gracefully after this many requests (0 = never). Multi-worker only. Default 0. */
  maxRequests?: number;
  /** Random spread (±) added to `maxRequests` per worker so they do not all recycle at once. Default 0. */
  maxRequestsJitter?: number;
  /** Write the PID here once listening; removed on exit. Default null (none). */
  pidFile?: string | null;
  /**
   * Append the access log to this file instead of `accessLogStream` (created with mode 0640),
   * reopened on SIGUSR1 for log rotation; each worker appends itself. Default null (stream).
   */
  accessLogFile?: string | null;
  /** Set by the cluster master for each worker (1..N); `null` in single-process mode. Default null. */
  workerNum?: number | null;
}

export const PROCESS_DEFAULTS: Required<ProcessOptions> = {
  workers: 1,
  heartbeatTimeout: 50_000,
  maxRequests: 0,
  maxRequestsJitter: 0,
  pidFile: null,
  accessLogFile: null,
  workerNum: null,
};

/** Checks the process options of a resolved options object; throws {@link ProcessOptionError}. */
export function validateProcessOptions(o: Required<ProcessOptions>): void {
  if (!Number.isInteger(o.workers) || o.workers < 1) {
    throw new ProcessOptionError(
      `server option 'workers' must be an integer >= 1, got ${JSON.stringify(o.workers)}`,
    );
  }
  if (o.workerNum !== null && (!Number.isInteger(o.workerNum) || o.workerNum < 1)) {
    throw new ProcessOptionError(
      `server option 'workerNum' must be null or an integer >= 1, got ${JSON.stringify(o.workerNum)}`,
    );
  }
  if (o.accessLogFile !== null && (typeof o.accessLogFile !== 'string' || o.accessLogFile === '')) {
    throw new ProcessOptionError(
      `server option 'accessLogFile' must be null or a path, got ${JSON.stringify(o.accessLogFile)}`,
    );
  }
  if (o.pidFile !== null && (typeof o.pidFile !== 'string' || o.pidFile === '')) {
    throw new ProcessOptionError(
      `server option 'pidFile' must be null or a path, got ${JSON.stringify(o.pidFile)}`,
    );
  }
}
