/**
 * IANA TLS cipher suite numbers keyed by the standard (RFC) name Node reports in
 * `tlsSocket.getCipher().standardName`. Node exposes no numeric id, so the `tls` scope extension
 * (protocol.md §6.3, `cipher_suite`) needs this table. Source of the numbers: the IANA "TLS Cipher
 * Suites" registry. Every TLS 1.3 suite is listed, plus the TLS 1.2 suites OpenSSL offers by default.
 */
const IANA_CIPHER_SUITES: ReadonlyMap<string, number> = new Map([
  // TLS 1.3 (RFC 8446 §B.4)
  ['TLS_AES_128_GCM_SHA256', 0x1301],
  ['TLS_AES_256_GCM_SHA384', 0x1302],
  ['TLS_CHACHA20_POLY1305_SHA256', 0x1303],
  ['TLS_AES_128_CCM_SHA256', 0x1304],
  ['TLS_AES_128_CCM_8_SHA256', 0x1305],
  // TLS 1.2 AEAD with forward secrecy (RFC 5289, RFC 7905, RFC 5288)
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 0xc02b],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 0xc02c],
  ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 0xc02f],
  ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 0xc030],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca8],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca9],
  ['TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 0xccaa],
  ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 0x009e],
  ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 0x009f],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 0xc0ac],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CCM', 0xc0ad],
  // TLS 1.2 legacy suites still found in OpenSSL's default list
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', 0x009c],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', 0x009d],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 0xc023],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 0xc024],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 0xc027],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 0xc028],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 0xc009],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 0xc00a],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 0xc013],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 0xc014],
  ['TLS_RSA_WITH_AES_128_CBC_SHA', 0x002f],
  ['TLS_RSA_WITH_AES_256_CBC_SHA', 0x0035],
  ['TLS_RSA_WITH_AES_128_CBC_SHA256', 0x003c],
  ['TLS_RSA_WITH_AES_256_CBC_SHA256', 0x003d],
]);

/**
 * The IANA number of a cipher suite, or `null` when the name is unknown (§6.3: `null` if unknown).
 *
 * @example
 * cipherSuiteNumber('TLS_AES_128_GCM_SHA256'); // 0x1301
 */
export function cipherSuiteNumber(standardName: string | undefined): number | null {
  if (standardName === undefined) return null;
  return IANA_CIPHER_SUITES.get(standardName) ?? null;
}

/** Wire numbers of the protocol names `tlsSocket.getProtocol()` returns (RFC 8446 §4.2.1). */
const TLS_VERSIONS: ReadonlyMap<string, number> = new Map([
  ['TLSv1', 0x0301],
  ['TLSv1.1', 0x0302],
  ['TLSv1.2', 0x0303],
  ['TLSv1.3', 0x0304],
]);

/**
 * The wire number of a negotiated TLS version, or `null` when unknown.
 *
 * @example
 * tlsVersionNumber('TLSv1.3'); // 0x0304
 */
export function tlsVersionNumber(protocol: string | null | undefined): number | null {
  if (protocol == null) return null;
  return TLS_VERSIONS.get(protocol) ?? null;
}
