/**
 * The `Host` header (RFC 9110 §7.2, RFC 3986 §3.2.2): a DNS name or an IP literal and an optional
 * port. One parser for every middleware that trusts or redirects to a host, so "what a Host is"
 * has one definition.
 */

/** One DNS label (RFC 1123 §2.1): letters, digits, inner hyphens, at most 63 characters. */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
// A name (one trailing dot allowed, as DNS does) or a bracketed IPv6 literal, then `:port`.
const HOST = new RegExp(`^(${LABEL}(?:\\.${LABEL})*\\.?|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?$`, 'i');

/** A parsed `Host`: `name` lowercased, without the trailing dot; `port` only when the header had one. */
export interface HostParts {
  name: string;
  port: number | undefined;
}

/**
 * Parses a `Host` header value; `undefined` when it is missing, longer than 255 characters, or
 * anything but `name[:port]` / `[ipv6][:port]` (so `evil.com#.example.com`, `a.com/x`, `a b`,
 * userinfo `u@a.com` and ports above 65535 are all refused).
 *
 * @example
 * parseHost('Example.COM.:8443') // { name: 'example.com', port: 8443 }
 * parseHost('evil.com#.example.com') // undefined
 */
export function parseHost(header: string | undefined): HostParts | undefined {
  if (header === undefined || header.length > 255) return undefined;
  const match = HOST.exec(header);
  if (match === null) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) return undefined;
  const raw = match[1]!.toLowerCase();
  return { name: raw.endsWith('.') ? raw.slice(0, -1) : raw, port };
}
