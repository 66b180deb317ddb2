import { PagiError } from '@pagi/spec';

/**
 * The store could not answer (Redis down, too slow, or a custom store that threw). `onStoreError`
 * decides what the request gets: by default a 503.
 */
export class RateLimitStoreError extends PagiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAGI_ERR_RATE_LIMIT_STORE', message, options);
  }
}
