import type { TLSSocket } from 'node:tls';
import type { TlsInfo } from '@pagi/spec';
import { cipherSuiteNumber, tlsVersionNumber } from './cipher-suites.js';
import { subjectDn } from './rfc4514.js';

/** PEM text of a DER certificate (RFC 7468 §2: base64 in 64-column lines). */
export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

interface PeerCert {
  raw?: Buffer;
  issuerCertificate?: PeerCert;
}

/** The client's chain as DER, leaf first, walking `issuerCertificate` until it repeats (the root points to itself). */
function peerChain(socket: TLSSocket): Buffer[] {
  const leaf = socket.getPeerCertificate(true) as PeerCert;
  const chain: Buffer[] = [];
  const seen = new Set<PeerCert>();
  let cert: PeerCert | undefined = leaf;
  while (cert?.raw !== undefined && !seen.has(cert)) {
    seen.add(cert);
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

const cache = new WeakMap<TLSSocket, TlsInfo>();

/**
 * The `tls` scope extension of one TLS connection, exactly the six fields protocol.md §6.3 names.
 * Computed once per connection (a keep-alive connection's requests share it).
 *
 * @example
 * scope.extensions.tls = tlsInfoOf(req.socket as TLSSocket);
 */
export function tlsInfoOf(socket: TLSSocket): TlsInfo {
  const hit = cache.get(socket);
  if (hit !== undefined) return hit;
  const own = socket.getCertificate() as PeerCert | null;
  let server_cert: string | null = null;
  if (own?.raw !== undefined) server_cert = derToPem(own.raw);
  const chain = peerChain(socket);
  let client_cert_name: string | null = null;
  if (chain[0] !== undefined) {
    try {
      client_cert_name = subjectDn(chain[0]);
    } catch {
      client_cert_name = null; // §6.3: null when the name is not available
    }
  }
  const authError = socket.authorizationError as unknown;
  const info: TlsInfo = {
    server_cert,
    client_cert_chain: chain.map(derToPem),
    client_cert_name,
    // §6.3: null when verified or when no certificate was given at all.
    client_cert_error: chain.length > 0 && !socket.authorized && authError != null ? String(authError) : null,
    tls_version: tlsVersionNumber(socket.getProtocol()),
    cipher_suite: cipherSuiteNumber(
      (socket.getCipher() as { standardName?: string } | undefined)?.standardName,
    ),
  };
  cache.set(socket, info);
  return info;
}
