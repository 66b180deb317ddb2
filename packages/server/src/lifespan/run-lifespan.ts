import {
  type App,
  LifespanStartupError,
  type LifespanScope,
  PAGI_SPEC_VERSION,
  PAGI_VERSION,
  PagiStateError,
  PagiUnknownEventError,
  PagiValidationError,
} from '@pagi/spec';
import type { Logger } from '../internal/context.js';
import type { LifespanMode } from '../options.js';

/** A running lifespan: its state (for scopes) and how to stop it. */
export interface LifespanHandle {
  /** `undefined` when the app declined lifespan or the mode is `off`. */
  readonly state: Record<string, unknown> | undefined;
  readonly supported: boolean;
  /** Sends `lifespan.shutdown` and waits for the answer, at most `timeoutMs` (0 = no limit). */
  shutdown(timeoutMs: number): Promise<void>;
}

export interface LifespanOptions {
  mode: LifespanMode;
  startupTimeout: number;
  logger: Logger;
  /** Worker identity for `scope.pagi` (D-5: `null` in single-process mode). */
  workerNum?: number | null;
}

type Phase = 'startup' | 'running' | 'shutdown' | 'done';

function noop(): void {}

/**
 * Runs the lifespan protocol (protocol.md §4.5): `lifespan.startup` now, `lifespan.shutdown` on
 * {@link LifespanHandle.shutdown}. An app that throws or returns before signalling has declined:
 * fine in `auto` mode (logged at info), fatal in `on` mode. `startup.failed` is always fatal.
 * Rejects with {@link LifespanStartupError}.
 *
 * @example
 * const lifespan = await startLifespan(app, { mode: 'auto', startupTimeout: 30_000, logger });
 * // … serve, with lifespan.state copied into each scope …
 * await lifespan.shutdown(30_000);
 */
export async function startLifespan(app: App, options: LifespanOptions): Promise<LifespanHandle> {
  const { logger, mode } = options;
  if (mode === 'off') return { state: undefined, supported: false, shutdown: async () => {} };

  const state: Record<string, unknown> = {};
  const scope: LifespanScope = {
    type: 'lifespan',
    pagi: {
      version: PAGI_VERSION,
      spec_version: PAGI_SPEC_VERSION,
      is_worker: options.workerNum != null,
      worker_num: options.workerNum ?? null,
    },
    state,
  };

  let phase: Phase = 'startup';
  let startupSettled = false;
  let resolveStartup!: (outcome: { ok: true } | { ok: false; error: Error }) => void;
  const startup = new Promise<{ ok: true } | { ok: false; error: Error }>((resolve) => {
    resolveStartup = (outcome) => {
      if (startupSettled) return;
      startupSettled = true;
      resolve(outcome);
    };
  });
  let resolveShutdownSignal!: () => void;
  const shutdownSignal = new Promise<void>((resolve) => {
    resolveShutdownSignal = resolve;
  });
  let resolveShutdownDone!: () => void;
  const shutdownDone = new Promise<void>((resolve) => {
    resolveShutdownDone = resolve;
  });
  let received = 0;
  let appDone = false;

  const receive = async (): Promise<{ type: 'lifespan.startup' } | { type: 'lifespan.shutdown' }> => {
    received++;
    if (received === 1) return { type: 'lifespan.startup' };
    await shutdownSignal;
    return { type: 'lifespan.shutdown' };
  };

  const send = async (event: { type?: unknown; message?: unknown }): Promise<void> => {
    if (event === null || typeof event !== 'object') {
      throw new PagiValidationError(
        `lifespan send: expected an event object, got ${event === null ? 'null' : typeof event}`,
      );
    }
    const message = typeof event.message === 'string' ? event.message : '';
    switch (event.type) {
      case 'lifespan.startup.complete':
        if (phase !== 'startup')
          throw new PagiStateError(`lifespan: expected a shutdown event, got ${event.type}`);
        phase = 'running';
        resolveStartup({ ok: true });
        return;
      case 'lifespan.startup.failed':
        if (phase !== 'startup')
          throw new PagiStateError(`lifespan: expected a shutdown event, got ${event.type}`);
        phase = 'done';
        resolveStartup({
          ok: false,
          error: new LifespanStartupError(`lifespan startup failed: ${message || '(no message)'}`),
        });
        return;
      case 'lifespan.shutdown.complete':
      case 'lifespan.shutdown.failed':
        if (phase !== 'shutdown') {
          throw new PagiStateError(
            `lifespan: expected ${phase === 'startup' ? 'a startup event' : 'lifespan.shutdown first'}, got ${event.type}`,
          );
        }
        phase = 'done';
        if (event.type === 'lifespan.shutdown.failed')
          logger.warn(`lifespan shutdown failed: ${message || '(no message)'}`);
        resolveShutdownDone();
        return;
      default:
        throw new PagiUnknownEventError(
          `lifespan send: expected a lifespan.* event, got ${JSON.stringify(event.type)}`,
        );
    }
  };

  const onAppEnd = (error: unknown, threw: boolean): void => {
    appDone = true;
    if (phase === 'startup') {
      // Declined (§4.5.2): a throw, or a return without signalling.
      const why = threw
        ? `it threw: ${error instanceof Error ? error.message : String(error)}`
        : 'it returned without signalling';
      if (mode === 'on') {
        resolveStartup({
          ok: false,
          error: new LifespanStartupError(
            `lifespan startup failed: lifespan is 'on' but the app declined (${why})`,
            {
              cause: error,
            },
          ),
        });
      } else {
        logger.info(`the app does not support lifespan (${why}); continuing without it`);
        resolveStartup({ ok: true });
      }
      phase = 'done';
      supported = false;
    } else if (phase === 'running' || phase === 'shutdown') {
      if (threw) logger.error('the lifespan task failed after startup', error);
      resolveShutdownDone();
    }
  };

  let supported = true;
  try {
    const result = app(scope, receive as never, send as never);
    if (result !== null && typeof (result as Promise<unknown>)?.then === 'function') {
      (result as Promise<unknown>).then(
        () => onAppEnd(undefined, false),
        (error: unknown) => onAppEnd(error, true),
      );
    } else {
      onAppEnd(undefined, false);
    }
  } catch (error) {
    onAppEnd(error, true);
  }

  let timer: NodeJS.Timeout | undefined;
  if (options.startupTimeout > 0 && !startupSettled) {
    timer = setTimeout(() => {
      resolveStartup({
        ok: false,
        error: new LifespanStartupError(
          `lifespan startup failed: no lifespan.startup.complete within ${options.startupTimeout} ms`,
        ),
      });
    }, options.startupTimeout);
  }
  const outcome = await startup;
  if (timer !== undefined) clearTimeout(timer);
  if (!outcome.ok) {
    phase = 'done';
    throw outcome.error;
  }
  const active = supported && (phase as Phase) === 'running';
  return {
    state: active ? state : undefined,
    supported: active,
    async shutdown(timeoutMs: number): Promise<void> {
      if (!active || (phase as Phase) !== 'running' || appDone) return;
      phase = 'shutdown';
      resolveShutdownSignal();
      let t: NodeJS.Timeout | undefined;
      const limit =
        timeoutMs > 0
          ? new Promise<void>((resolve) => {
              t = setTimeout(() => {
                logger.warn(`lifespan shutdown did not finish within ${timeoutMs} ms; continuing`);
                resolve();
              }, timeoutMs);
            })
          : new Promise<void>(noop);
      await Promise.race([shutdownDone, limit]);
      if (t !== undefined) clearTimeout(t);
    },
  };
}
