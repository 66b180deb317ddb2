import { createSecureContext } from 'node:tls';
import { TlsConfigError } from './errors.js';
import type { TlsMinVersion, TlsSettings, VerifyClientMode } from './secure-context.js';

/** TLS options (`--tls-cert`, `--tls-key`, `--tls-ca`, `--tls-verify-client`). */
export interface TlsOptions {
  /** PEM certificate chain file; with `tlsKey`, turns TLS on for every non-Unix listener. Default null. */
  tlsCert?: string | null;
  /** PEM private key file. Default null. */
  tlsKey?: string | null;
  /** PEM CA bundle for client certificates. Default null. */
  tlsCa?: string | null;
  /** `none` (default), `optional` or `require`. */
  tlsVerifyClient?: VerifyClientMode;
  /**
   * Oldest protocol version accepted: `TLSv1.2` (default) or `TLSv1.3`. Anything older is refused
   * at construction (RFC 8996 deprecates TLS 1.0 and 1.1).
   */
  tlsMinVersion?: TlsMinVersion;
  /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are not affected). Default null: node's default list. */
  tlsCiphers?: string | null;
  /**
   * Time a client has to finish the TLS handshake after the TCP connect, in ms; then the
   * connection is closed. 0 disables. Default 10_000 (node's own default is 120 s).
   */
  tlsHandshakeTimeout?: number;
}

export const TLS_DEFAULTS: Required<TlsOptions> = {
  tlsCert: null,
  tlsKey: null,
  tlsCa: null,
  tlsVerifyClient: 'none',
  tlsMinVersion: 'TLSv1.2',
  tlsCiphers: null,
  tlsHandshakeTimeout: 10_000,
};

/** The file settings when TLS is on, `undefined` when off. Throws when only half is given. */
export function tlsSettingsOf(o: Required<TlsOptions>): TlsSettings | undefined {
  if (o.tlsMinVersion !== 'TLSv1.2' && o.tlsMinVersion !== 'TLSv1.3') {
    throw new TlsConfigError(
      `expected tlsMinVersion 'TLSv1.2' or 'TLSv1.3', got ${JSON.stringify(o.tlsMinVersion)} (TLS 1.0 and 1.1 are deprecated by RFC 8996 and not offered)`,
    );
  }
  if (o.tlsCiphers !== null && (typeof o.tlsCiphers !== 'string' || o.tlsCiphers.trim() === '')) {
    throw new TlsConfigError(
      `expected tlsCiphers to be an OpenSSL cipher list or null, got ${JSON.stringify(o.tlsCiphers)}`,
    );
  }
  if (o.tlsCiphers !== null) {
    // Checked here, without the certificate files, so a typo fails at construction.
    try {
      createSecureContext({ ciphers: o.tlsCiphers });
    } catch (error) {
      throw new TlsConfigError(
        `expected tlsCiphers to be an OpenSSL cipher list naming at least one usable cipher, got ${JSON.stringify(o.tlsCiphers)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (o.tlsCert === null && o.tlsKey === null) {
    if (o.tlsCa !== null || o.tlsVerifyClient !== 'none') {
      throw new TlsConfigError(`tlsCa / tlsVerifyClient need tlsCert and tlsKey, got neither`);
    }
    return undefined;
  }
  if (o.tlsCert === null || o.tlsKey === null) {
    throw new TlsConfigError(
      `expected both tlsCert and tlsKey, got only ${o.tlsCert === null ? 'tlsKey' : 'tlsCert'}`,
    );
  }
  if (!['none', 'optional', 'require'].includes(o.tlsVerifyClient)) {
    throw new TlsConfigError(
      `expected tlsVerifyClient none, optional or require, got ${JSON.stringify(o.tlsVerifyClient)}`,
    );
  }
  if (o.tlsVerifyClient !== 'none' && o.tlsCa === null) {
    throw new TlsConfigError(`tlsVerifyClient '${o.tlsVerifyClient}' needs tlsCa, got none`);
  }
  return {
    cert: o.tlsCert,
    key: o.tlsKey,
    ca: o.tlsCa ?? undefined,
    verifyClient: o.tlsVerifyClient,
    minVersion: o.tlsMinVersion,
    ciphers: o.tlsCiphers ?? undefined,
    handshakeTimeout: o.tlsHandshakeTimeout,
  };
}
