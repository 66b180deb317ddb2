/**
 * Response header names a bridge never forwards to the PAGI server: framing and connection
 * management are the server's job (protocol.md §4.1.3: `Transfer-Encoding` from the app is
 * ignored; RFC 9110 §7.6.1 lists the connection-specific fields). Forwarding them would apply
 * the wrapped layer's framing a second time.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** true for a lowercase header name that must not cross the bridge. */
export function isHopByHop(lowercaseName: string): boolean {
  return HOP_BY_HOP.has(lowercaseName);
}
