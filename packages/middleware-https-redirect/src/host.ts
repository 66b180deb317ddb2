/** One DNS label (RFC 1123 §2.1): letters, digits, inner hyphens, at most 63 characters. */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** `Host` (RFC 9110 §7.2): a DNS name or an IPv4/IPv6 literal, an optional port. Nothing else. */
const HOST = new RegExp(`^(${LABEL}(?:\\.${LABEL})*\\.?|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?$`, 'i');

/** The host name of a `Host` header, lowercased and without port or trailing dot; `undefined` when malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header.length > 255) return undefined;
  const match = HOST.exec(header);
  if (match === null) return undefined;
  const port = match[2];
  if (port !== undefined && Number(port) > 65535) return undefined;
  return match[1]!.toLowerCase().replace(/\.$/, '');
}

/** The bytes of a path or query that are not safe as they are in a `Location` value, percent-encoded. */
export function encodeUnsafe(bytes: string): string {
  // ByteStrings hold one byte per char (latin1); anything outside visible ASCII gets %XX.
  return bytes.replace(
    /[^\x21-\x7e]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}
