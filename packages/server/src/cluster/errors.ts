import { PagiError } from '@pagi/spec';

/**
 * Workers keep dying before they report listening, so the master stops instead of respawning
 * forever (server-parity.md §5.5 items 1-2: respawn storm, zombie master). Exit code 3.
 *
 * @example
 * master.on('fatal', (e) => e.code === 'PAGI_ERR_WORKER_BOOT_LOOP');
 */
export class WorkerBootLoopError extends PagiError {
  constructor(failures: number, lastExit: string) {
    super(
      'PAGI_ERR_WORKER_BOOT_LOOP',
      `expected workers to start listening, got ${failures} consecutive startup failures (last: ${lastExit}); giving up`,
    );
  }
}

/** A process option that cannot work (`workers`, `heartbeatTimeout`, ...). */
export class ProcessOptionError extends PagiError {
  constructor(message: string) {
    super('PAGI_ERR_PROCESS_OPTION', message);
  }
}
