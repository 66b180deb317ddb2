import { decodeOid, derChildren, readDer } from './der.js';

/**
 * Attribute short names RFC 4514 §3 defines; every other type is written as a dotted OID with a
 * `#hex` value (§2.3, §2.4), as the RFC requires for types without a registered name.
 */
const SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.6', 'C'],
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
]);

/** One attribute of a relative distinguished name, in certificate (forward) order. */
export interface DnAttribute {
  oid: string;
  /** decoded string value, or `null` when the ASN.1 type is not a string type */
  value: string | null;
  /** the full BER encoding of the value (for the `#hex` form) */
  encoded: Uint8Array;
}

/**
 * Escapes one attribute value per RFC 4514 §2.4: `" + , ; < > \` anywhere, a leading space or
 * `#`, a trailing space, and NUL (as `\00`).
 *
 * @example
 * escapeDnValue('Doe, John'); // 'Doe\\, John'
 */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\0') out += '\\00';
    else if ('"+,;<>\\'.includes(ch)) out += `\\${ch}`;
    else if (i === 0 && (ch === ' ' || ch === '#')) out += `\\${ch}`;
    else if (i === value.length - 1 && ch === ' ') out += '\\ ';
    else out += ch;
  }
  return out;
}

function decodeString(tag: number, content: Uint8Array): string | null {
  switch (tag) {
    case 0x0c: // UTF8String
      return Buffer.from(content).toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return Buffer.from(content).toString('latin1');
    case 0x14: // TeletexString: treated as latin1, as OpenSSL does
      return Buffer.from(content).toString('latin1');
    case 0x1e: {
      // BMPString: UCS-2 big-endian
      let s = '';
      for (let i = 0; i + 1 < content.length; i += 2)
        s += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
      return s;
    }
    case 0x1c: {
      // UniversalString: UCS-4 big-endian
      let s = '';
      for (let i = 0; i + 3 < content.length; i += 4) {
        s += String.fromCodePoint(
          ((content[i]! << 24) | (content[i + 1]! << 16) | (content[i + 2]! << 8) | content[i + 3]!) >>> 0,
        );
      }
      return s;
    }
    default:
      return null;
  }
}

/**
 * Reads the RDN sequence of an X.501 Name starting at `offset` in `der`: one array per RDN (SET),
 * in encoded order.
 */
export function readName(der: Uint8Array, offset: number): DnAttribute[][] {
  const name = readDer(der, offset);
  if (name.tag !== 0x30)
    throw new RangeError(`DER: expected a Name SEQUENCE, got tag 0x${name.tag.toString(16)}`);
  return derChildren(der, name).map((set) => {
    if (set.tag !== 0x31) throw new RangeError(`DER: expected an RDN SET, got tag 0x${set.tag.toString(16)}`);
    return derChildren(der, set).map((atv) => {
      const [type, value] = derChildren(der, atv);
      if (type === undefined || value === undefined || type.tag !== 0x06) {
        throw new RangeError('DER: malformed AttributeTypeAndValue');
      }
      return {
        oid: decodeOid(der, type),
        value: decodeString(value.tag, der.subarray(value.start, value.end)),
        encoded: der.subarray(value.header, value.end),
      };
    });
  });
}

/** Formats RDNs (given in certificate order) as an RFC 4514 string: reversed, `,` between RDNs, `+` inside. */
export function formatRdns(rdns: DnAttribute[][]): string {
  return rdns
    .slice()
    .reverse()
    .map((rdn) =>
      rdn
        .map((atv) => {
          const short = SHORT_NAMES.get(atv.oid);
          if (short !== undefined && atv.value !== null) return `${short}=${escapeDnValue(atv.value)}`;
          return `${atv.oid}=#${Buffer.from(atv.encoded).toString('hex')}`;
        })
        .join('+'),
    )
    .join(',');
}

/**
 * The subject of a DER-encoded X.509 certificate as an RFC 4514 string (protocol.md §6.3,
 * `client_cert_name`). Node's `X509Certificate.subject` is newline-separated in forward order,
 * so it cannot be used directly.
 *
 * @example
 * subjectDn(peer.raw); // 'CN=client,O=Example Corp,C=US'
 */
export function subjectDn(certificateDer: Uint8Array): string {
  const cert = readDer(certificateDer, 0);
  const [tbs] = derChildren(certificateDer, cert);
  if (tbs === undefined) throw new RangeError('DER: certificate has no TBSCertificate');
  const fields = derChildren(certificateDer, tbs);
  // TBSCertificate: [0] version (optional), serial, signature alg, issuer, validity, subject
  const skip = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[skip + 4];
  if (subject === undefined) throw new RangeError('DER: TBSCertificate has no subject');
  return formatRdns(readName(certificateDer, subject.header));
}
