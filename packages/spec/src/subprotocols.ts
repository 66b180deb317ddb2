/**
 * Turns the `Sec-WebSocket-Protocol` request header lines into `scope.subprotocols`: each line
 * split on commas, entries trimmed of spaces and tabs (RFC 9110 OWS), empty ones dropped, and
 * several lines merged in order (protocol.md §3.3: a client may send more than one line).
 *
 * @example
 * parseSubprotocols(['chat, superchat', ' v2.json ']) // ['chat', 'superchat', 'v2.json']
 * parseSubprotocols([]) // []
 */
export function parseSubprotocols(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of values) {
    let start = 0;
    for (let i = 0; i <= line.length; i++) {
      if (i < line.length && line.charCodeAt(i) !== 0x2c) continue;
      let a = start;
      let b = i;
      while (a < b && isOws(line.charCodeAt(a))) a++;
      while (b > a && isOws(line.charCodeAt(b - 1))) b--;
      if (b > a) out.push(line.slice(a, b));
      start = i + 1;
    }
  }
  return out;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
