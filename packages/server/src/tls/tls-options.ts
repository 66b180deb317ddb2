import { TlsConfigError } from './errors.js';
import type { TlsSettings, VerifyClientMode } from './secure-context.js';

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
}

export const TLS_DEFAULTS: Required<TlsOptions> = {
  tlsCert: null,
  tlsKey: null,
  tlsCa: null,
  tlsVerifyClient: 'none',
};

/** The file settings when TLS is on, `undefined` when off. Throws when only half is given. */
export function tlsSettingsOf(o: Required<TlsOptions>): TlsSettings | undefined {
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
  return { cert: o.tlsCert, key: o.tlsKey, ca: o.tlsCa ?? undefined, verifyClient: o.tlsVerifyClient };
}
