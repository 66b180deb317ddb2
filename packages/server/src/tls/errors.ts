import { PagiError } from '@pagi/spec';

/**
 * TLS settings that cannot work: a missing or unreadable certificate/key/CA file, a key that does
 * not match, an unknown `verifyClient` mode, or client verification without a CA.
 *
 * @example
 * try { loadTlsMaterial(settings); } catch (e) { if (isPagiError(e) && e.code === 'PAGI_ERR_TLS_CONFIG') ... }
 */
export class TlsConfigError extends PagiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAGI_ERR_TLS_CONFIG', message, options);
  }
}
