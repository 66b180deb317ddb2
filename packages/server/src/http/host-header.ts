import { isIPv6 } from 'node:net';

// RFC 3986 §3.2.2–3.2.3, as RFC 9112 §3.2 uses it for Host (`uri-host [":" port]`, no userinfo):
// reg-name = *( unreserved / pct-encoded / sub-delims ), port = *DIGIT. A dotted IPv4 address is
// a reg-name as far as the grammar goes, so it needs no rule of its own. '%' is not in the class,
// so the alternation never backtracks (linear time on any input).
const REG_NAME_AND_PORT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*(?::[0-9]*)?$/;
// IP-literal = "[" ( IPv6address / IPvFuture ) "]"
const IP_LITERAL_AND_PORT = /^\[([^[\]]*)\](?::[0-9]*)?$/;
// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
const IP_FUTURE = /^[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/;

/**
 * Whether a `Host` field value is a valid `uri-host [":" port]` (RFC 9112 §3.2, RFC 3986 §3.2.2):
 * a reg-name (possibly empty), an IPv4 address, or `[IPv6]` / `[vX.future]`, with an optional
 * port of digits. A zone ID (`%eth0`) is not part of RFC 3986's IPv6 literal and is refused.
 *
 * @example
 * isValidHost('example.com:8080'); // true
 * isValidHost('[::1]:80'); // true
 * isValidHost('bad host'); // false
 */
export function isValidHost(value: string): boolean {
  if (value.charCodeAt(0) !== 0x5b /* [ */) return REG_NAME_AND_PORT.test(value);
  const match = IP_LITERAL_AND_PORT.exec(value);
  if (match === null) return false;
  const literal = match[1]!;
  return IP_FUTURE.test(literal) || (!literal.includes('%') && isIPv6(literal));
}
