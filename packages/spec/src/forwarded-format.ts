/**
 * Writing reverse-proxy headers: the `Forwarded` element (RFC 7239 §4) a proxy appends for the
 * hop it makes. The reading side is `forwarded.ts`; `parseForwarded(formatForwardedElement(x))`
 * gives back what was written.
 */
import { isIP } from 'node:net';

/** What one hop records: who it received from, the Host it was asked for, and the scheme. */
export interface ForwardedElement {
  /** The client address (IPv4 or IPv6 literal); anything else is written as `unknown` (§6.2). */
  for?: string | undefined;
  /** The client's port; written only together with an IP address. */
  port?: number | undefined;
  /** The `Host` the client sent. */
  host?: string | undefined;
  /** `http` or `https`. */
  proto?: string | undefined;
}

// RFC 9110 §5.6.2 token characters: such a value is written bare, anything else quoted.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A value as a token when it is one, else a quoted-string with `"` and `\` escaped (RFC 9110 §5.6.4). */
function quoteIfNeeded(value: string): string {
  if (TOKEN.test(value)) return value;
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** RFC 7239 §6: `192.0.2.1`, `"192.0.2.1:80"`, `"[2001:db8::1]"`, or `unknown`. */
function formatNode(address: string | undefined, port: number | undefined): string {
  const family = address === undefined ? 0 : isIP(address);
  if (family === 0) return 'unknown';
  const withPort = port !== undefined && Number.isInteger(port) && port > 0 && port <= 65535;
  if (family === 4) return withPort ? `"${address}:${port}"` : address!;
  return withPort ? `"[${address}]:${port}"` : `"[${address}]"`;
}

/**
 * One `Forwarded` element, `for=…;host=…;proto=…`, each value a token or a quoted-string.
 * `host` and `proto` must be free of CR, LF and NUL (a request's Host already is); a value that
 * is not is left out rather than written.
 *
 * @example
 * formatForwardedElement({ for: '2001:db8::1', host: 'example.com', proto: 'https' });
 * // 'for="[2001:db8::1]";host=example.com;proto=https'
 */
export function formatForwardedElement(element: ForwardedElement): string {
  let out = `for=${formatNode(element.for, element.port)}`;
  if (element.host !== undefined && element.host !== '' && !/[\0-\x1f\x7f]/.test(element.host)) {
    out += `;host=${quoteIfNeeded(element.host)}`;
  }
  if (element.proto !== undefined && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(element.proto)) {
    out += `;proto=${element.proto.toLowerCase()}`;
  }
  return out;
}

/**
 * The `X-Forwarded-For` value after this hop: the incoming list with `address` appended (the
 * nearest hop is the right-most one, which is how readers walk it), or `address` alone.
 *
 * @example
 * appendXForwardedFor('203.0.113.7', '10.0.0.2'); // '203.0.113.7, 10.0.0.2'
 */
export function appendXForwardedFor(existing: string | undefined, address: string | undefined): string {
  const node = address !== undefined && isIP(address) !== 0 ? address : 'unknown';
  return existing === undefined || existing.trim() === '' ? node : `${existing}, ${node}`;
}
