import { BlockList, isIP } from 'node:net';
import { ProxyConfigError } from './errors.js';

/**
 * Which peers may set the client address and scheme through proxy headers. Matching is node's
 * `net.BlockList` (an IPv4 rule also matches the IPv4-mapped IPv6 form `::ffff:a.b.c.d`, which is
 * how a dual-stack listener reports IPv4 peers).
 */
export interface TrustedProxies {
  /** true for `*`: every peer is trusted. */
  readonly all: boolean;
  /** true when `unix` is listed: peers on a Unix socket (no address) are trusted. */
  readonly unix: boolean;
  /** true when `address` (an IP literal) is trusted; false for anything that is not an IP. */
  trusts(address: string | undefined): boolean;
}

/** Longest list accepted; a trust list is a handful of ranges, not a data set. */
const MAX_ENTRIES = 1024;

/**
 * Parses `forwardedAllowIps`: each entry an IPv4/IPv6 address, a CIDR range (`10.0.0.0/8`,
 * `fd00::/8`), `unix` or `*`; an entry may hold several, comma-separated (`--forwarded-allow-ips
 * 10.0.0.1,10.0.0.2`, as uvicorn takes them). Throws {@link ProxyConfigError} naming the bad one.
 *
 * @example
 * const trusted = parseTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'unix']);
 * trusted.trusts('10.1.2.3'); // true
 */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  if (!Array.isArray(entries)) {
    throw new ProxyConfigError(
      `server option 'forwardedAllowIps' must be an array of strings, got ${JSON.stringify(entries)}`,
    );
  }
  const list = new BlockList();
  let all = false;
  let unix = false;
  let count = 0;
  for (const entry of entries) {
    if (typeof entry !== 'string') {
      throw new ProxyConfigError(
        `server option 'forwardedAllowIps' must hold strings, got ${JSON.stringify(entry)}`,
      );
    }
    for (const part of entry.split(',')) {
      const item = part.trim();
      if (item === '') continue;
      if (++count > MAX_ENTRIES) {
        throw new ProxyConfigError(
          `server option 'forwardedAllowIps' holds more than ${MAX_ENTRIES} entries`,
        );
      }
      if (item === '*') all = true;
      else if (item === 'unix') unix = true;
      else addRule(list, item);
    }
  }
  return {
    all,
    unix,
    trusts(address) {
      if (all) return address !== undefined;
      if (address === undefined) return false;
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

function addRule(list: BlockList, item: string): void {
  const slash = item.indexOf('/');
  const address = slash === -1 ? item : item.slice(0, slash);
  const family = isIP(address);
  if (family === 0) {
    throw new ProxyConfigError(
      `forwardedAllowIps: expected an IP address, a CIDR range, 'unix' or '*', got ${JSON.stringify(item)}`,
    );
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) {
    list.addAddress(address, type);
    return;
  }
  const bits = item.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
  if (prefix < 0 || prefix > max) {
    throw new ProxyConfigError(
      `forwardedAllowIps: expected a prefix length 0-${max} in ${JSON.stringify(item)}, got ${JSON.stringify(bits)}`,
    );
  }
  list.addSubnet(address, prefix, type);
}
