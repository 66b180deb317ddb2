import type { ResolvedServerOptions, ServerOptions } from '../options.js';

/** Environment variable carrying the master's resolved options to each worker. */
export const WORKER_OPTIONS_ENV = 'PAGI_WORKER_OPTIONS';
/** Environment variable carrying the worker's number (1..N). */
export const WORKER_NUM_ENV = 'PAGI_WORKER_NUM';

/**
 * Serialises the **whole** resolved options object for a worker (server-parity.md §2.3 ⚠: the
 * upstream master rebuilt workers from a partial list, so half the settings fell back to defaults
 * there). Only the two stream options cannot cross a process boundary; workers use stderr.
 *
 * @example
 * cluster.fork({ [WORKER_OPTIONS_ENV]: encodeWorkerOptions(resolved) });
 */
export function encodeWorkerOptions(options: ResolvedServerOptions): string {
  const { accessLogStream: _a, logStream: _l, ...rest } = options;
  return JSON.stringify(rest);
}

/** The options a worker runs with: the master's, plus its own `workerNum`. */
export function decodeWorkerOptions(text: string, workerNum: number): ServerOptions {
  const parsed = JSON.parse(text) as ServerOptions;
  return { ...parsed, workerNum };
}
