/**
 * Reverse-proxy headers, one definition for the server (`proxyHeaders`) and the reverse-proxy
 * middleware: `Forwarded` (RFC 7239) and the de-facto `X-Forwarded-For` / `X-Forwarded-Proto`,
 * and the list of trusted proxies (addresses and CIDR ranges, IPv4 and IPv6).
 */
import { BlockList, isIP } from 'node:net';
import { PagiValidationError } from './errors.js';
import type { HeaderList } from './types.js';

// Read only when the socket peer is a trusted proxy. Parsing is bounded (the last MAX_HOPS hops,
// each value checked) and anything malformed is ignored rather than trusted.

/** One hop as a proxy recorded it: the address it received from (null = unknown/obfuscated/bad). */
export interface ForwardedHop {
  address: string | null;
  port: number;
  /** `http` / `https` as recorded for this hop, lowercased; undefined when absent or unknown. */
  proto: 'http' | 'https' | undefined;
}

/** What the trusted headers say about the original request. */
export interface ForwardedInfo {
  /** The client as the nearest untrusted hop; undefined when the headers don't name one usably. */
  client: [string, number] | undefined;
  /** true for https/wss, false for http/ws, undefined when no proto was given. */
  secure: boolean | undefined;
}

/** Hops kept, counted from the right (the ones nearest this server; the rest can't matter). */
export const MAX_HOPS = 64;

function protoOf(value: string | undefined): 'http' | 'https' | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'https' || v === 'wss') return 'https';
  if (v === 'http' || v === 'ws') return 'http';
  return undefined;
}

/**
 * An address as it appears in a hop: `192.0.2.1`, `192.0.2.1:80`, `2001:db8::1`,
 * `[2001:db8::1]`, `[2001:db8::1]:4711`. Anything else (`unknown`, `_hidden`, garbage) is null.
 */
export function parseNode(text: string): { address: string; port: number } | null {
  const t = text.trim();
  if (t.length === 0 || t.length > 64) return null;
  let address = t;
  let port = 0;
  if (t.charCodeAt(0) === 0x5b /* [ */) {
    const close = t.indexOf(']');
    if (close === -1) return null;
    address = t.slice(1, close);
    const rest = t.slice(close + 1);
    if (rest !== '') {
      if (!/^:\d{1,5}$/.test(rest)) return null;
      port = Number(rest.slice(1));
    }
    return isIP(address) === 6 && port <= 65535 ? { address, port } : null;
  }
  const colon = t.indexOf(':');
  if (colon !== -1 && colon === t.lastIndexOf(':')) {
    // IPv4 with a port (a bare IPv6 address has more than one colon).
    const p = t.slice(colon + 1);
    if (!/^\d{1,5}$/.test(p)) return null;
    address = t.slice(0, colon);
    port = Number(p);
    return isIP(address) === 4 && port <= 65535 ? { address, port } : null;
  }
  return isIP(address) === 0 ? null : { address, port };
}

/**
 * `X-Forwarded-For: client, proxy1, proxy2` → its hops, the last {@link MAX_HOPS} only.
 *
 * @example
 * parseXForwardedFor('203.0.113.7, 10.0.0.2'); // [{ address: '203.0.113.7', … }, { address: '10.0.0.2', … }]
 */
export function parseXForwardedFor(value: string): ForwardedHop[] {
  const parts = value.split(',');
  const from = Math.max(0, parts.length - MAX_HOPS);
  const hops: ForwardedHop[] = [];
  for (let i = from; i < parts.length; i++) {
    const node = parseNode(parts[i]!);
    hops.push({ address: node?.address ?? null, port: node?.port ?? 0, proto: undefined });
  }
  return hops;
}

/**
 * `Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8::1]:4711"` → one hop per
 * element (RFC 7239 §4: elements separated by `,`, pairs by `;`, values a token or a
 * quoted-string). A malformed element becomes a hop with no address, so it stops the walk.
 * Only the last {@link MAX_HOPS} elements are kept.
 *
 * @example
 * parseForwarded('for=192.0.2.60;proto=https'); // [{ address: '192.0.2.60', port: 0, proto: 'https' }]
 */
export function parseForwarded(value: string): ForwardedHop[] {
  const hops: ForwardedHop[] = [];
  let i = 0;
  const n = value.length;
  while (i <= n) {
    let forValue: string | undefined;
    let protoValue: string | undefined;
    let bad = false;
    // One element: pairs until ',' or the end.
    for (;;) {
      while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === ';')) i++;
      const start = i;
      while (i < n && value[i] !== '=' && value[i] !== ',' && value[i] !== ';') i++;
      const name = value.slice(start, i).trim().toLowerCase();
      let pairValue: string | undefined;
      if (i < n && value[i] === '=') {
        i++;
        if (value[i] === '"') {
          // quoted-string: `\` escapes the next character (RFC 9110 §5.6.4).
          i++;
          let v = '';
          let closed = false;
          while (i < n) {
            const c = value[i]!;
            if (c === '\\' && i + 1 < n) {
              v += value[i + 1];
              i += 2;
            } else if (c === '"') {
              i++;
              closed = true;
              break;
            } else {
              v += c;
              i++;
            }
          }
          if (!closed) bad = true;
          pairValue = v;
          while (i < n && value[i] !== ',' && value[i] !== ';') {
            if (value[i] !== ' ' && value[i] !== '\t') bad = true;
            i++;
          }
        } else {
          const vs = i;
          while (i < n && value[i] !== ',' && value[i] !== ';') i++;
          pairValue = value.slice(vs, i).trim();
          if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z:[\]]*$/.test(pairValue)) bad = true;
        }
      } else if (name !== '') {
        bad = true;
      }
      if (name === 'for') {
        if (forValue !== undefined) bad = true; // a parameter appears once per element (§4)
        forValue = pairValue;
      } else if (name === 'proto') {
        if (protoValue !== undefined) bad = true;
        protoValue = pairValue;
      }
      if (i >= n || value[i] === ',') break;
    }
    const node = bad || forValue === undefined ? null : parseNode(forValue);
    hops.push({
      address: node?.address ?? null,
      port: node?.port ?? 0,
      proto: bad ? undefined : protoOf(protoValue),
    });
    if (hops.length > MAX_HOPS) hops.shift();
    i++; // past ','
  }
  return hops;
}

/**
 * Walks the hops right to left, skipping trusted proxies (nginx `real_ip_recursive on`, uvicorn):
 * the first untrusted hop is the client; when every hop is trusted, the leftmost one is. A hop
 * with no usable address where the client should be leaves the client unknown.
 */
function pickClient(hops: ForwardedHop[], trusted: TrustedProxies): number {
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = hops[i]!.address;
    if (address === null) return -1;
    if (i > 0 && trusted.trusts(address)) continue;
    return i;
  }
  return -1;
}

/** Joins every field of `name` (several X-Forwarded-For lines are one list, RFC 9110 §5.3). */
function joined(headers: HeaderList, name: string): string | undefined {
  let out: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] === name) out = out === undefined ? h[1] : `${out},${h[1]}`;
  }
  return out;
}

/**
 * The client and scheme the trusted proxy headers give, or undefined when there are none.
 * `Forwarded` wins when present; otherwise `X-Forwarded-For` / `X-Forwarded-Proto`. For
 * `X-Forwarded-Proto` with as many values as `X-Forwarded-For` has hops, the client's own
 * entry is used; otherwise the last (nearest) one.
 *
 * Call only when the socket peer is trusted.
 *
 * @example
 * forwardedInfo([['x-forwarded-for', '203.0.113.7'], ['x-forwarded-proto', 'https']], trusted);
 * // { client: ['203.0.113.7', 0], secure: true }
 */
export function forwardedInfo(headers: HeaderList, trusted: TrustedProxies): ForwardedInfo | undefined {
  const forwarded = joined(headers, 'forwarded');
  if (forwarded !== undefined) {
    const hops = parseForwarded(forwarded);
    const at = pickClient(hops, trusted);
    const proto = at >= 0 ? hops[at]!.proto : hops[hops.length - 1]?.proto;
    const client = at >= 0 ? hops[at]! : undefined;
    return {
      client: client === undefined ? undefined : [client.address!, client.port],
      secure: proto === undefined ? undefined : proto === 'https',
    };
  }
  const xff = joined(headers, 'x-forwarded-for');
  const xfp = joined(headers, 'x-forwarded-proto');
  if (xff === undefined && xfp === undefined) return undefined;
  let client: [string, number] | undefined;
  let protoIndex = -1;
  let hopCount = 0;
  if (xff !== undefined) {
    const hops = parseXForwardedFor(xff);
    hopCount = hops.length;
    const at = pickClient(hops, trusted);
    if (at >= 0) {
      client = [hops[at]!.address!, hops[at]!.port];
      protoIndex = at;
    }
  }
  let secure: boolean | undefined;
  if (xfp !== undefined) {
    const protos = xfp.split(',');
    const pick = protos.length > MAX_HOPS ? protos.slice(-MAX_HOPS) : protos;
    const proto = protoOf(
      pick.length === hopCount && protoIndex >= 0 ? pick[protoIndex] : pick[pick.length - 1],
    );
    if (proto !== undefined) secure = proto === 'https';
  }
  return { client, secure };
}

/**
 * {@link forwardedInfo} when `peer` (the socket's client tuple; undefined on a Unix socket) is a
 * trusted proxy, else undefined: headers from anyone else are ignored, whatever they say.
 */
export function trustedForwardedInfo(
  trusted: TrustedProxies,
  peer: readonly [string, number] | undefined,
  headers: HeaderList,
): ForwardedInfo | undefined {
  if (peer === undefined ? !trusted.unix : !trusted.trusts(peer[0])) return undefined;
  return forwardedInfo(headers, trusted);
}

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
 * 10.0.0.1,10.0.0.2`, as uvicorn takes them). Throws PagiValidationError naming the bad one, with `label` (the option's name) in the message.
 *
 * @example
 * const trusted = parseTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'unix']);
 * trusted.trusts('10.1.2.3'); // true
 */
export function parseTrustedProxies(entries: readonly string[], label = 'trustedProxies'): TrustedProxies {
  if (!Array.isArray(entries)) {
    throw new PagiValidationError(`${label} must be an array of strings, got ${JSON.stringify(entries)}`);
  }
  const list = new BlockList();
  let all = false;
  let unix = false;
  let count = 0;
  for (const entry of entries) {
    if (typeof entry !== 'string') {
      throw new PagiValidationError(`${label} must hold strings, got ${JSON.stringify(entry)}`);
    }
    for (const part of entry.split(',')) {
      const item = part.trim();
      if (item === '') continue;
      if (++count > MAX_ENTRIES) {
        throw new PagiValidationError(`${label} holds more than ${MAX_ENTRIES} entries`);
      }
      if (item === '*') all = true;
      else if (item === 'unix') unix = true;
      else addRule(list, item, label);
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

function addRule(list: BlockList, item: string, label: string): void {
  const slash = item.indexOf('/');
  const address = slash === -1 ? item : item.slice(0, slash);
  const family = isIP(address);
  if (family === 0) {
    throw new PagiValidationError(
      `${label}: expected an IP address, a CIDR range, 'unix' or '*', got ${JSON.stringify(item)}`,
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
    throw new PagiValidationError(
      `${label}: expected a prefix length 0-${max} in ${JSON.stringify(item)}, got ${JSON.stringify(bits)}`,
    );
  }
  list.addSubnet(address, prefix, type);
}
