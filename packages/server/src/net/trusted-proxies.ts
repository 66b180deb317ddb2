import { PagiValidationError, parseTrustedProxies as parseTrusted, type TrustedProxies } from '@pagi/spec';
import { ProxyConfigError } from './errors.js';

export type { TrustedProxies } from '@pagi/spec';

/**
 * Parses `forwardedAllowIps` with `@pagi/spec`'s `parseTrustedProxies` (IPv4/IPv6 addresses, CIDR
 * ranges, `unix`, `*`); a bad entry throws {@link ProxyConfigError} (`PAGI_ERR_PROXY_CONFIG`).
 *
 * @example
 * const trusted = parseTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'unix']);
 * trusted.trusts('10.1.2.3'); // true
 */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  try {
    return parseTrusted(entries, "server option 'forwardedAllowIps'");
  } catch (error) {
    if (error instanceof PagiValidationError) throw new ProxyConfigError(error.message);
    throw error;
  }
}
