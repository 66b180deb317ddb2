import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { TlsConfigError } from './errors.js';

/** How a client certificate is treated (`--tls-verify-client`). */
export type VerifyClientMode = 'none' | 'optional' | 'require';

/** Protocol floors that may be configured; older versions are never offered (RFC 8996). */
export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

/** File-based TLS settings, as the CLI and `ServerOptions` give them. */
export interface TlsSettings {
  /** PEM certificate chain file (leaf first). */
  cert: string;
  /** PEM private key file. */
  key: string;
  /** PEM CA bundle used to verify client certificates. */
  ca?: string | undefined;
  /** Default `none`. `optional` asks for a certificate and reports a failed check in `client_cert_error`; `require` refuses the handshake without a valid one. */
  verifyClient?: VerifyClientMode | undefined;
  /** Default `TLSv1.2`. */
  minVersion?: TlsMinVersion | undefined;
  /** OpenSSL cipher list (TLS 1.2 suites). Default: node's. */
  ciphers?: string | undefined;
  /** ms to finish the handshake after the TCP connect (0 = off). Default 10_000. */
  handshakeTimeout?: number | undefined;
}

/** Everything a TLS front needs: the context inputs (read once) and the per-socket policy. */
export interface TlsMaterial {
  context: {
    cert: Buffer;
    key: Buffer;
    ca?: Buffer | undefined;
    minVersion: TlsMinVersion;
    ciphers?: string | undefined;
  };
  server: {
    requestCert: boolean;
    rejectUnauthorized: boolean;
    ALPNProtocols: string[];
    /** node's own handshake timer (0 = off); the listener closes the socket when it fires. */
    handshakeTimeout: number;
  };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsConfigError(
      `expected a readable ${what} file at '${path}', got ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads the files and checks them by building a SecureContext once, so a bad key fails at
 * startup rather than at the first handshake. TLS 1.2 is a floor, not a pin: TLS 1.3 is
 * negotiated with modern clients (server-parity.md §1.8). ALPN offers `http/1.1`, and `h2` first with `http2`.
 * Called again on SIGHUP to reload certificates.
 *
 * @example
 * const material = loadTlsMaterial({ cert: 'cert.pem', key: 'key.pem', verifyClient: 'none' });
 */
export function loadTlsMaterial(settings: TlsSettings, http2 = false): TlsMaterial {
  const mode = settings.verifyClient ?? 'none';
  if (!['none', 'optional', 'require'].includes(mode)) {
    throw new TlsConfigError(
      `expected tls verifyClient to be none, optional or require, got ${JSON.stringify(mode)}`,
    );
  }
  if (mode !== 'none' && settings.ca === undefined) {
    throw new TlsConfigError(`tls verifyClient '${mode}' needs a CA file (--tls-ca), got none`);
  }
  const context = {
    cert: readPem(settings.cert, 'certificate'),
    key: readPem(settings.key, 'private key'),
    ca: settings.ca === undefined ? undefined : readPem(settings.ca, 'CA bundle'),
    minVersion: settings.minVersion ?? 'TLSv1.2',
    ...(settings.ciphers === undefined ? {} : { ciphers: settings.ciphers }),
  };
  if (context.minVersion !== 'TLSv1.2' && context.minVersion !== 'TLSv1.3') {
    throw new TlsConfigError(
      `expected tls minVersion 'TLSv1.2' or 'TLSv1.3', got ${JSON.stringify(context.minVersion)} (TLS 1.0 and 1.1 are deprecated by RFC 8996)`,
    );
  }
  try {
    tls.createSecureContext(context);
  } catch (error) {
    throw new TlsConfigError(
      settings.ciphers !== undefined && /cipher/i.test((error as Error).message)
        ? `expected tlsCiphers to be an OpenSSL cipher list that names at least one usable cipher, got ${JSON.stringify(settings.ciphers)}: ${(error as Error).message}`
        : `expected a PEM certificate and matching private key (${settings.cert}, ${settings.key}), got ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    context,
    server: {
      requestCert: mode !== 'none',
      rejectUnauthorized: mode === 'require',
      // --http2: h2 first (RFC 7301: the server picks by its own order), HTTP/1.1 for the rest.
      ALPNProtocols: http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      handshakeTimeout: settings.handshakeTimeout ?? 10_000,
    },
  };
}
