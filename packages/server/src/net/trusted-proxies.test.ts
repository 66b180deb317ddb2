import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTrustedProxies } from './trusted-proxies.js';

/** Reference matcher: addresses as BigInts, compared under the prefix mask. */
function v4(a: number[]): bigint {
  return a.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}
function v6(groups: number[]): bigint {
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}
function inRange(addr: bigint, net: bigint, prefix: number, bits: number): boolean {
  const shift = BigInt(bits - prefix);
  return addr >> shift === net >> shift;
}
const octets = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
const groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
const v6text = (g: number[]): string => g.map((x) => x.toString(16)).join(':');

describe('parseTrustedProxies', () => {
  it('matches IPv4 CIDR ranges exactly like a bitwise reference', () => {
    fc.assert(
      fc.property(octets, fc.integer({ min: 0, max: 32 }), octets, (net, prefix, addr) => {
        const trusted = parseTrustedProxies([`${net.join('.')}/${prefix}`]);
        const expected = inRange(v4(addr), v4(net), prefix, 32);
        expect(trusted.trusts(addr.join('.'))).toBe(expected);
        // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d: same answer.
        expect(trusted.trusts(`::ffff:${addr.join('.')}`)).toBe(expected);
      }),
    );
  });

  it('matches IPv6 CIDR ranges exactly like a bitwise reference', () => {
    fc.assert(
      fc.property(groups, fc.integer({ min: 0, max: 128 }), groups, (net, prefix, addr) => {
        const trusted = parseTrustedProxies([`${v6text(net)}/${prefix}`]);
        expect(trusted.trusts(v6text(addr))).toBe(inRange(v6(addr), v6(net), prefix, 128));
      }),
    );
  });

  it('trusts an address inside its own range, and never a non-address', () => {
    fc.assert(
      fc.property(octets, fc.integer({ min: 0, max: 32 }), fc.string(), (net, prefix, junk) => {
        const trusted = parseTrustedProxies([`${net.join('.')}/${prefix}`]);
        expect(trusted.trusts(net.join('.'))).toBe(true);
        if (!/^[0-9a-f.:]+$/i.test(junk)) expect(trusted.trusts(junk)).toBe(false);
      }),
    );
  });

  it('takes single addresses, comma lists, unix and *', () => {
    const t = parseTrustedProxies(['127.0.0.1, ::1', 'unix']);
    expect(t.trusts('127.0.0.1')).toBe(true);
    expect(t.trusts('::1')).toBe(true);
    expect(t.trusts('127.0.0.2')).toBe(false);
    expect(t.trusts(undefined)).toBe(false);
    expect(t.unix).toBe(true);
    const all = parseTrustedProxies(['*']);
    expect(all.all && all.trusts('203.0.113.9')).toBe(true);
  });

  it('refuses entries that are not an address, a range, unix or *', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/a', '1.2.3']) {
      expect(() => parseTrustedProxies([bad]), bad).toThrow(/forwardedAllowIps/);
    }
    expect(() => parseTrustedProxies('10.0.0.1' as unknown as string[])).toThrow(/array of strings/);
  });
});
