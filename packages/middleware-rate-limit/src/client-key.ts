/**
 * The default rate-limit key: the client address, with IPv6 addresses cut to a network prefix.
 * One IPv6 subscriber is routinely given a whole /64 or /56 (RFC 6177), i.e. 2^64+ addresses:
 * counting each address alone lets one client rotate addresses for a fresh quota per request,
 * and flood a bounded store until it evicts everyone else's counters. IPv4-mapped addresses
 * (`::ffff:a.b.c.d`, how a dual-stack listener reports IPv4 peers) count as the IPv4 address.
 */
import { isIPv6 } from 'node:net';

/** The 8 16-bit groups of an IPv6 literal (no zone), or `undefined` when it is not one. */
function groups(address: string): number[] | undefined {
  let text = address;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // An embedded IPv4 tail (RFC 4291 §2.2 form 3): two groups.
    const octets = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    tail.push(
      ((octets[0] as number) << 8) | (octets[1] as number),
      ((octets[2] as number) << 8) | (octets[3] as number),
    );
    text = `${text.slice(0, lastColon + 1)}0`; // a placeholder group, dropped below
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  if (tail.length > 0) (right.length > 0 ? right : left).pop();
  const missing = 8 - tail.length - left.length - right.length;
  const all = [...left, ...new Array<number>(rest === undefined ? 0 : missing).fill(0), ...right, ...tail];
  return all.length === 8 && all.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? all : undefined;
}

/**
 * `address` as a rate-limit key: an IPv4 address as it is; an IPv4-mapped IPv6 address as its
 * IPv4 address; any other IPv6 address as its first `subnet` bits (`2001:db8:1:2::/64`), or whole
 * when `subnet` is `false`. Anything else (no IP) is returned unchanged.
 */
export function addressKey(address: string, subnet: number | false): string {
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  if (!isIPv6(bare)) return address;
  const g = groups(bare);
  if (g === undefined) return address;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `${(g[6] as number) >> 8}.${(g[6] as number) & 0xff}.${(g[7] as number) >> 8}.${(g[7] as number) & 0xff}`;
  }
  if (subnet === false || subnet >= 128) return address;
  const out: string[] = [];
  for (let i = 0, left = subnet; i < 8; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : left <= 0 ? 0 : (0xffff << (16 - left)) & 0xffff;
    out.push(((g[i] as number) & mask).toString(16));
  }
  return `${out.join(':')}/${subnet}`;
}
