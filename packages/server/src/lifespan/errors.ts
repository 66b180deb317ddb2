import { PagiError } from '@pagi/spec';

/**
 * Startup did not succeed: the app sent `lifespan.startup.failed`, threw in `lifespan: 'on'` mode,
 * declined in `on` mode, or did not signal within `lifespanStartupTimeout`. `listen()` rejects with
 * it and the CLI exits with code 3.
 *
 * @example
 * try { await server.listen(); } catch (e) { if (isPagiError(e) && e.code === 'PAGI_ERR_LIFESPAN_STARTUP') … }
 */
export class LifespanStartupError extends PagiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAGI_ERR_LIFESPAN_STARTUP', message, options);
  }
}
