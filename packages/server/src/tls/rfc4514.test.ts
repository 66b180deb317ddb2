import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from '../../test/fixtures/tls/make-certs.js';
import { decodeOid, readDer } from './der.js';
import { escapeDnValue, formatRdns, subjectDn } from './rfc4514.js';

/** Reverses RFC 4514 §2.4 escaping (the parser side of §3), for the round-trip property. */
function unescapeDn(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      out += text[i];
      continue;
    }
    const next = text.slice(i + 1, i + 3);
    if (/^[0-9a-f]{2}$/i.test(next)) {
      out += String.fromCharCode(Number.parseInt(next, 16));
      i += 2;
    } else {
      out += text[i + 1];
      i += 1;
    }
  }
  return out;
}

describe('escapeDnValue', () => {
  it('escapes the RFC 4514 special characters', () => {
    expect(escapeDnValue('Doe, John')).toBe('Doe\\, John');
    expect(escapeDnValue('a+b;c<d>e"f\\g')).toBe('a\\+b\\;c\\<d\\>e\\"f\\\\g');
    expect(escapeDnValue('#lead')).toBe('\\#lead');
    expect(escapeDnValue(' both ')).toBe('\\ both\\ ');
    expect(escapeDnValue('mid#dle')).toBe('mid#dle');
    expect(escapeDnValue('nul\0')).toBe('nul\\00');
  });

  it('round-trips any string and leaves no unescaped separator', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeDnValue(value);
        expect(unescapeDn(escaped)).toBe(value);
        // No bare ',' '+' or ';' survives: splitting the DN stays unambiguous.
        expect(/(^|[^\\])(\\\\)*[,+;]/.test(escaped.replace(/\\[,+;]/g, ''))).toBe(false);
      }),
    );
  });
});

describe('decodeOid', () => {
  it('decodes multi-byte arcs', () => {
    // 0.9.2342.19200300.100.1.25 (DC)
    const bytes = Uint8Array.from([0x06, 0x0a, 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19]);
    expect(decodeOid(bytes, readDer(bytes, 0))).toBe('0.9.2342.19200300.100.1.25');
  });
});

describe('formatRdns', () => {
  it('reverses RDN order, joins multi-valued RDNs with + and hex-encodes unknown types', () => {
    const enc = Uint8Array.from([0x0c, 0x01, 0x78]);
    expect(
      formatRdns([
        [{ oid: '2.5.4.6', value: 'US', encoded: enc }],
        [
          { oid: '2.5.4.10', value: 'Org', encoded: enc },
          { oid: '1.2.3.4', value: 'x', encoded: enc },
        ],
        [{ oid: '2.5.4.3', value: 'leaf', encoded: enc }],
      ]),
    ).toBe('CN=leaf,O=Org+1.2.3.4=#0c0178,C=US');
  });

  it('rejects truncated DER instead of reading past the end', () => {
    expect(() => readDer(Uint8Array.from([0x30, 0x05, 0x01]), 0)).toThrow(RangeError);
  });
});

describe('subjectDn on real certificates', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
  });

  it('matches openssl -nameopt RFC2253 for a subject that needs escaping', () => {
    const pem = readFileSync(certs.clientCert);
    const der = new X509Certificate(pem).raw;
    const expected = execFileSync('openssl', [
      'x509',
      '-noout',
      '-subject',
      '-nameopt',
      'RFC2253',
      '-in',
      certs.clientCert,
    ])
      .toString()
      .trim()
      .replace(/^subject=\s*/, '');
    expect(subjectDn(der)).toBe(expected);
    expect(subjectDn(der)).toBe('CN=client one,OU=Unit #1,O=Doe\\, John \\<QA\\>,C=US');
  });
});
