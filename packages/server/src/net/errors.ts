import { PagiError } from '@pagi/spec';

/**
 * A `forwardedAllowIps` entry that is not an IP address, a CIDR range, `unix` or `*`.
 *
 * @example
 * try { createServer(app, { forwardedAllowIps: ['10.0.0.0/33'] }); } catch (e) { e.code === 'PAGI_ERR_PROXY_CONFIG' }
 */
export class ProxyConfigError extends PagiError {
  constructor(message: string) {
    super('PAGI_ERR_PROXY_CONFIG', message);
  }
}
