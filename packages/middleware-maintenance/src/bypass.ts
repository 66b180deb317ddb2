/** Who gets through during maintenance: clients in the allowed networks, or with the header secret. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { PagiValidationError } from '@pagi/spec';

/**
 * A `BlockList` of the given addresses and CIDR ranges, IPv4 and IPv6 (node checks IPv4-mapped
 * IPv6 clients, `::ffff:10.0.0.1`, against IPv4 ranges too).
 */
export function allowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (typeof entry !== 'string') {
      throw new PagiValidationError(
        `maintenance(): expected allow entries to be strings, got ${typeof entry}`,
      );
    }
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const family = isIP(address);
    const prefix = slash === -1 ? undefined : Number(entry.slice(slash + 1));
    const max = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      (prefix !== undefined && (!/^\d{1,3}$/.test(entry.slice(slash + 1)) || prefix > max))
    ) {
      throw new PagiValidationError(
        `maintenance(): expected an IPv4/IPv6 address or CIDR in allow, got ${JSON.stringify(entry)}`,
      );
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

/** true when `address` (a client host) is in `list`; a Unix-socket or missing client is not. */
export function isAllowed(list: BlockList, address: string | undefined): boolean {
  if (address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * A constant-time check of a presented secret: both sides are hashed first, so neither the
 * secret's bytes nor its length can be learned from response timing.
 */
export function secretMatcher(secret: string): (presented: string | undefined) => boolean {
  const expected = digest(secret);
  return (presented) => presented !== undefined && timingSafeEqual(digest(presented), expected);
}
