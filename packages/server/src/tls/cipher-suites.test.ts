import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { cipherSuiteNumber, tlsVersionNumber } from './cipher-suites.js';

describe('cipherSuiteNumber', () => {
  it('maps every TLS 1.3 suite to its IANA number', () => {
    expect(cipherSuiteNumber('TLS_AES_128_GCM_SHA256')).toBe(0x1301);
    expect(cipherSuiteNumber('TLS_AES_256_GCM_SHA384')).toBe(0x1302);
    expect(cipherSuiteNumber('TLS_CHACHA20_POLY1305_SHA256')).toBe(0x1303);
    expect(cipherSuiteNumber('TLS_AES_128_CCM_SHA256')).toBe(0x1304);
    expect(cipherSuiteNumber('TLS_AES_128_CCM_8_SHA256')).toBe(0x1305);
  });

  it('maps the common TLS 1.2 ECDHE GCM and ChaCha suites', () => {
    expect(cipherSuiteNumber('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toBe(0xc02f);
    expect(cipherSuiteNumber('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384')).toBe(0xc02c);
    expect(cipherSuiteNumber('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256')).toBe(0xcca8);
    expect(cipherSuiteNumber('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256')).toBe(0xcca9);
  });

  it('returns null for unknown or missing names', () => {
    expect(cipherSuiteNumber('TLS_MADE_UP')).toBeNull();
    expect(cipherSuiteNumber(undefined)).toBeNull();
  });

  it('knows every TLS 1.3 suite this OpenSSL build offers', () => {
    // OpenSSL lists 1.3 suites by their RFC names in tls.getCiphers() (lowercased).
    const tls13 = tls.getCiphers().filter((c) => c.startsWith('tls_'));
    expect(tls13.length).toBeGreaterThan(0);
    for (const name of tls13) expect(cipherSuiteNumber(name.toUpperCase()), name).not.toBeNull();
  });
});

describe('tlsVersionNumber', () => {
  it('maps protocol names to wire numbers', () => {
    expect(tlsVersionNumber('TLSv1.3')).toBe(0x0304);
    expect(tlsVersionNumber('TLSv1.2')).toBe(0x0303);
    expect(tlsVersionNumber('TLSv1.1')).toBe(0x0302);
    expect(tlsVersionNumber('TLSv1')).toBe(0x0301);
    expect(tlsVersionNumber('unknown')).toBeNull();
    expect(tlsVersionNumber(null)).toBeNull();
  });
});
