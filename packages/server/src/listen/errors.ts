import { PagiError } from '@pagi/spec';

/**
 * A `--listen` value, socket mode or inherited descriptor that cannot be used.
 *
 * @example
 * parseListenSpec('example.com'); // throws ListenSpecError (code PAGI_ERR_LISTEN_SPEC)
 */
export class ListenSpecError extends PagiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAGI_ERR_LISTEN_SPEC', message, options);
  }
}
