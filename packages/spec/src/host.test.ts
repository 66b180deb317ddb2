import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHost } from './host.js';

describe('parseHost', () => {
  it('parses names, ports, IPv6 literals; lowercases; drops one trailing dot', () => {
    expect(parseHost('Example.COM')).toEqual({ name: 'example.com', port: undefined });
    expect(parseHost('example.com.:8443')).toEqual({ name: 'example.com', port: 8443 });
    expect(parseHost('[::1]:80')).toEqual({ name: '[::1]', port: 80 });
    expect(parseHost('127.0.0.1')).toEqual({ name: '127.0.0.1', port: undefined });
  });

  it('refuses everything that is not name[:port] (attack inputs)', () => {
    for (const bad of [
      undefined,
      '',
      'evil.com#.example.com',
      'evil.com/.example.com',
      'u@example.com',
      'example.com:99999',
      'example.com:',
      'a b.com',
      'example.com..',
      '-a.com',
      'a.com\r\nx: y',
      `${'a'.repeat(64)}.com`,
      `${'a.'.repeat(130)}com`,
      '*.example.com',
    ]) {
      expect(parseHost(bad)).toBeUndefined();
    }
  });

  it('never throws, and what it accepts has no character outside a host', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const parts = parseHost(s);
        if (parts !== undefined) expect(parts.name).toMatch(/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])$/);
      }),
    );
  });
});
