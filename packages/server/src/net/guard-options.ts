import { parseTrustedProxies } from './trusted-proxies.js';

/**
 * Options that keep slow or greedy clients from holding the server (`--request-read-timeout`,
 * `--send-timeout`, `--max-connections-per-address`) and the reverse-proxy trust settings
 * (`--proxy-headers`, `--forwarded-allow-ips`). The README options table gives the reasoning
 * behind each default.
 */
export interface GuardOptions {
  /**
   * Time allowed to receive a whole request, request line + headers + body, in ms, counted from
   * the moment the connection is ready for it (accept, or the end of the previous response).
   * Past it: 408 if nothing was sent yet, else `client_timeout`; the connection is closed.
   * 0 disables. Default 120_000: the default 10 MB body over a 1 Mbit/s uplink (~80 s) plus
   * the 30 s header allowance.
   */
  requestReadTimeout?: number;
  /**
   * Time queued response bytes may sit without the client taking any of them, in ms (nginx
   * `send_timeout`). Past it the connection is cut: `write_timeout` for the app, `await send()`
   * is released. 0 disables. Default 60_000 (nginx's default).
   */
  sendTimeout?: number;
  /**
   * Open connections from one client address (TLS handshakes included; 0 = unlimited). The
   * connection over it is refused at accept: `503` + `Retry-After` on cleartext, a close on
   * TLS (no handshake is spent on it). Connections from a trusted proxy are not counted by the
   * proxy's address (see `proxyHeaders`). Default 100.
   */
  maxConnectionsPerAddress?: number;
  /**
   * Read `Forwarded` / `X-Forwarded-For` / `X-Forwarded-Proto` from peers in
   * `forwardedAllowIps` into `scope.client`, `scope.scheme` and the access log. Default false.
   */
  proxyHeaders?: boolean;
  /**
   * Trusted proxies: IPv4/IPv6 addresses or CIDR ranges, `unix` for Unix-socket peers, `*` for
   * every peer. Entries may also be comma-separated. Default `127.0.0.1`, `::1`, `unix`.
   */
  forwardedAllowIps?: string[];
}

export const GUARD_DEFAULTS: Required<GuardOptions> = {
  requestReadTimeout: 120_000,
  sendTimeout: 60_000,
  maxConnectionsPerAddress: 100,
  proxyHeaders: false,
  forwardedAllowIps: ['127.0.0.1', '::1', 'unix'],
};

/** Checks the trust list once so a typo fails at construction (PAGI_ERR_PROXY_CONFIG). */
export function validateGuardOptions(o: Required<GuardOptions>): void {
  if (typeof o.proxyHeaders !== 'boolean') {
    throw new TypeError(
      `server option 'proxyHeaders' must be a boolean, got ${JSON.stringify(o.proxyHeaders)}`,
    );
  }
  parseTrustedProxies(o.forwardedAllowIps);
}
