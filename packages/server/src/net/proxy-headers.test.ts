import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forwardedInfo,
  MAX_HOPS,
  parseForwarded,
  parseNode,
  parseXForwardedFor,
  trustedForwardedInfo,
} from './proxy-headers.js';
import { parseTrustedProxies } from './trusted-proxies.js';

const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6();
const trusted = parseTrustedProxies(['10.0.0.0/8', 'fd00::/8']);
const untrustedV4 = fc.ipV4().filter((a) => !a.startsWith('10.'));
const trustedV4 = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 3, maxLength: 3 })
  .map((o) => `10.${o.join('.')}`);

describe('parseNode', () => {
  it('reads IPv4, IPv6, bracketed IPv6, and ports', () => {
    expect(parseNode('192.0.2.1')).toEqual({ address: '192.0.2.1', port: 0 });
    expect(parseNode(' 192.0.2.1:8080 ')).toEqual({ address: '192.0.2.1', port: 8080 });
    expect(parseNode('2001:db8::1')).toEqual({ address: '2001:db8::1', port: 0 });
    expect(parseNode('[2001:db8::1]:4711')).toEqual({ address: '2001:db8::1', port: 4711 });
    for (const bad of ['unknown', '_hidden', '', '1.2.3.4:99999', '[1.2.3.4]', '[::1', 'a:b']) {
      expect(parseNode(bad), bad).toBeNull();
    }
  });
  it('never throws and returns only valid addresses', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const n = parseNode(s);
        if (n !== null) expect(n.port).toBeLessThanOrEqual(65535);
      }),
    );
  });
});

describe('parseXForwardedFor', () => {
  it('round-trips any list of addresses', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(ipv4, ipv6), { minLength: 1, maxLength: 10 }), (list) => {
        expect(parseXForwardedFor(list.join(', ')).map((h) => h.address)).toEqual(list);
      }),
    );
  });
  it('keeps only the last MAX_HOPS hops of a huge header', () => {
    const list = Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const hops = parseXForwardedFor(list.join(','));
    expect(hops).toHaveLength(MAX_HOPS);
    expect(hops.at(-1)?.address).toBe(list.at(-1));
  });
});

describe('parseForwarded', () => {
  it('reads RFC 7239 §4 examples', () => {
    expect(parseForwarded('for="_gazonk"')[0]?.address).toBeNull();
    expect(parseForwarded('For="[2001:db8:cafe::17]:4711"')[0]).toEqual({
      address: '2001:db8:cafe::17',
      port: 4711,
      proto: undefined,
    });
    expect(parseForwarded('for=192.0.2.60;proto=http;by=203.0.113.43')[0]).toEqual({
      address: '192.0.2.60',
      port: 0,
      proto: 'http',
    });
    expect(parseForwarded('for=192.0.2.43, for=198.51.100.17').map((h) => h.address)).toEqual([
      '192.0.2.43',
      '198.51.100.17',
    ]);
  });
  it('round-trips generated elements, quoted or not', () => {
    const element = fc.record({
      address: fc.oneof(ipv4, ipv6),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      proto: fc.option(fc.constantFrom('http', 'https'), { nil: undefined }),
      by: fc.option(ipv4, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 8 }), (elements) => {
        const text = elements
          .map((e) => {
            const v6 = e.address.includes(':');
            const node =
              v6 || e.port !== undefined
                ? `"${v6 ? `[${e.address}]` : e.address}${e.port !== undefined ? `:${e.port}` : ''}"`
                : e.address;
            const pairs = [`for=${node}`];
            if (e.proto !== undefined) pairs.push(`proto=${e.proto}`);
            if (e.by !== undefined) pairs.unshift(`by=${e.by}`);
            return pairs.join(';');
          })
          .join(', ');
        const hops = parseForwarded(text);
        expect(hops.map((h) => [h.address, h.port, h.proto])).toEqual(
          elements.map((e) => [e.address, e.port ?? 0, e.proto]),
        );
      }),
    );
  });
  it('never throws on garbage, and garbage never yields an address that was not written', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const hops = parseForwarded(s);
        expect(hops.length).toBeLessThanOrEqual(MAX_HOPS);
        for (const h of hops) if (h.address !== null) expect(s).toContain(h.address.split(':')[0]!);
      }),
    );
  });
  it('treats a malformed element as unknown', () => {
    expect(parseForwarded('for="192.0.2.1')[0]?.address).toBeNull(); // unterminated quote
    expect(parseForwarded('for=192.0.2.1;for=192.0.2.2')[0]?.address).toBeNull(); // repeated parameter
    expect(parseForwarded('for=192.0.2.1 x')[0]?.address).toBeNull();
  });
});

describe('forwardedInfo (right-to-left walk)', () => {
  it('the client is the nearest untrusted hop, whatever the client put in front of it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ipv4, fc.constant('garbage')), { maxLength: 5 }),
        untrustedV4,
        fc.array(trustedV4, { maxLength: 5 }),
        (spoofed, client, proxies) => {
          const xff = [...spoofed, client, ...proxies].join(', ');
          const info = forwardedInfo([['x-forwarded-for', xff]], trusted);
          expect(info?.client).toEqual([client, 0]);
        },
      ),
    );
  });
  it('is the same for Forwarded', () => {
    fc.assert(
      fc.property(untrustedV4, fc.array(trustedV4, { maxLength: 5 }), (client, proxies) => {
        const fwd = [client, ...proxies].map((a) => `for=${a}`).join(', ');
        expect(forwardedInfo([['forwarded', fwd]], trusted)?.client).toEqual([client, 0]);
      }),
    );
  });
  it('all hops trusted: the leftmost; an unknown hop where the client should be: no client', () => {
    expect(forwardedInfo([['x-forwarded-for', '10.0.0.1, 10.0.0.2']], trusted)?.client).toEqual([
      '10.0.0.1',
      0,
    ]);
    expect(
      forwardedInfo([['x-forwarded-for', '203.0.113.1, unknown, 10.0.0.2']], trusted)?.client,
    ).toBeUndefined();
  });
  it('joins repeated X-Forwarded-For fields and reads X-Forwarded-Proto', () => {
    const info = forwardedInfo(
      [
        ['x-forwarded-for', '203.0.113.5'],
        ['x-forwarded-for', '10.0.0.9'],
        ['x-forwarded-proto', 'https'],
      ],
      trusted,
    );
    expect(info).toEqual({ client: ['203.0.113.5', 0], secure: true });
    expect(forwardedInfo([['x-forwarded-proto', 'gopher']], trusted)).toEqual({
      client: undefined,
      secure: undefined,
    });
  });
  it('Forwarded wins over X-Forwarded-*; proto comes from the client element', () => {
    const info = forwardedInfo(
      [
        ['x-forwarded-for', '198.51.100.1'],
        ['forwarded', 'for=203.0.113.9;proto=https, for=10.0.0.1;proto=http'],
      ],
      trusted,
    );
    expect(info).toEqual({ client: ['203.0.113.9', 0], secure: true });
  });
  it('ignores headers from an untrusted peer; reads them from a trusted or unix one', () => {
    const headers: Array<[string, string]> = [['x-forwarded-for', '203.0.113.5']];
    expect(trustedForwardedInfo(trusted, ['192.0.2.1', 5000], headers)).toBeUndefined();
    expect(trustedForwardedInfo(trusted, ['10.1.1.1', 5000], headers)?.client).toEqual(['203.0.113.5', 0]);
    expect(trustedForwardedInfo(trusted, undefined, headers)).toBeUndefined();
    const withUnix = parseTrustedProxies(['unix']);
    expect(trustedForwardedInfo(withUnix, undefined, headers)?.client).toEqual(['203.0.113.5', 0]);
  });
});
