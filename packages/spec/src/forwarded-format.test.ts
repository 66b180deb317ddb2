import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseForwarded, parseXForwardedFor } from './forwarded.js';
import { appendXForwardedFor, formatForwardedElement } from './forwarded-format.js';

describe('formatForwardedElement', () => {
  it('writes IPv4 bare, IPv6 and ports quoted, non-IPs as unknown (RFC 7239 §6)', () => {
    expect(formatForwardedElement({ for: '192.0.2.1', proto: 'http' })).toBe('for=192.0.2.1;proto=http');
    expect(formatForwardedElement({ for: '2001:db8::1', port: 4711 })).toBe('for="[2001:db8::1]:4711"');
    expect(formatForwardedElement({ for: '192.0.2.1', port: 80 })).toBe('for="192.0.2.1:80"');
    expect(formatForwardedElement({ for: 'evil;for=1.2.3.4' })).toBe('for=unknown');
    expect(formatForwardedElement({})).toBe('for=unknown');
  });

  it('quotes a host that is not a token and drops one with control characters', () => {
    expect(formatForwardedElement({ for: '10.0.0.1', host: 'example.com:8080' })).toBe(
      'for=10.0.0.1;host="example.com:8080"',
    );
    expect(formatForwardedElement({ for: '10.0.0.1', host: 'a"b\\c' })).toBe(
      'for=10.0.0.1;host="a\\"b\\\\c"',
    );
    expect(formatForwardedElement({ for: '10.0.0.1', host: 'a\r\nb' })).toBe('for=10.0.0.1');
    expect(formatForwardedElement({ for: '10.0.0.1', proto: 'ht tp' })).toBe('for=10.0.0.1');
  });

  it('round-trips through parseForwarded for any IP, port, host and proto', () => {
    const ip = fc.oneof(fc.ipV4(), fc.ipV6());
    fc.assert(
      fc.property(
        ip,
        fc.integer({ min: 0, max: 65535 }),
        fc.string({ maxLength: 20 }),
        fc.constantFrom('http', 'https'),
        (address, port, host, proto) => {
          const text = formatForwardedElement({ for: address, port, host, proto });
          const [hop, ...rest] = parseForwarded(text);
          expect(rest).toEqual([]);
          expect(hop!.port).toBe(port);
          expect(hop!.proto).toBe(proto);
          // node normalises nothing: the parser gives the literal back as written.
          expect(hop!.address).toBe(address);
        },
      ),
    );
  });
});

describe('appendXForwardedFor', () => {
  it('appends the nearest hop on the right, and writes unknown for a non-IP', () => {
    expect(appendXForwardedFor(undefined, '10.0.0.2')).toBe('10.0.0.2');
    expect(appendXForwardedFor('203.0.113.7', '10.0.0.2')).toBe('203.0.113.7, 10.0.0.2');
    expect(appendXForwardedFor('', undefined)).toBe('unknown');
    expect(parseXForwardedFor(appendXForwardedFor('1.1.1.1', '::1')).map((h) => h.address)).toEqual([
      '1.1.1.1',
      '::1',
    ]);
  });
});
