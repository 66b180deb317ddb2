import cluster from 'node:cluster';
import { ExitCode } from './exit-codes.js';
import { Master } from './master.js';
import type { RunConfig } from './server-like.js';
import { runSingle } from './single.js';
import { decodeWorkerOptions, WORKER_NUM_ENV, WORKER_OPTIONS_ENV } from './worker-options.js';
import { runWorker } from './worker.js';

export type { RunConfig, ServerLike } from './server-like.js';

/**
 * Runs a server the way `pagi-server` does and resolves with the process exit code
 * (0 clean, 1 forced/crash, 3 startup failure; see {@link ExitCode}). With `workers` > 1 this
 * process becomes the cluster master and the same entry script runs again in each worker, which
 * takes the master's resolved options (not its own command line) and imports the app afresh.
 *
 * @example
 * const code = await runServer({ options, loadApp: () => import(file).then((m) => m.default), createServer });
 * process.exit(code);
 */
export async function runServer(config: RunConfig): Promise<number> {
  const log =
    config.log ??
    ((line: string) => {
      if (config.options.logLevel !== 'silent') config.options.logStream.write(`pagi-server ${line}\n`);
    });
  const inherited = process.env[WORKER_OPTIONS_ENV];
  if (cluster.isWorker && inherited !== undefined) {
    const num = Number(process.env[WORKER_NUM_ENV]);
    const options = { ...config.options, ...decodeWorkerOptions(inherited, num) };
    return runWorker({ ...config, options: options as RunConfig['options'], log });
  }
  // --reload needs a master even for one worker: new code means a new process.
  if (config.options.workers <= 1 && !config.options.reload) {
    try {
      return await runSingle({ ...config, log });
    } catch (error) {
      log(`startup failed: ${(error as Error).message}`);
      return ExitCode.STARTUP;
    }
  }
  try {
    return await new Master({ options: config.options, log }).run();
  } catch (error) {
    log(`startup failed: ${(error as Error).message}`);
    return ExitCode.STARTUP;
  }
}
