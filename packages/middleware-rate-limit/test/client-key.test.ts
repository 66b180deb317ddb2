import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { addressKey } from '../src/client-key.js';
import { rateLimit } from '../src/index.js';

const ok: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [] });
  await send({ type: 'http.response.body', body: 'ok' });
};

describe('rateLimit: IPv6 clients are counted per network prefix (ipv6Subnet)', () => {
  it('an attacker rotating addresses inside one /64 shares one bucket (default /56)', async () => {
    const app = rateLimit({ limit: 2, windowMs: 60_000 })(ok);
    const from = (address: string) => new TestClient(app, { client: [address, 40000] }).get('/');
    const seen: number[] = [];
    for (let i = 1; i <= 4; i++) seen.push((await from(`2001:db8:1:2::${i.toString(16)}`)).status);
    expect(seen).toEqual([200, 200, 429, 429]);
    // another /56 is another client
    expect((await from('2001:db8:1:100::1')).status).toBe(200);
  });

  it('ipv6Subnet: false counts every address alone; another prefix length is honoured', async () => {
    const whole = rateLimit({ limit: 1, windowMs: 60_000, ipv6Subnet: false })(ok);
    expect((await new TestClient(whole, { client: ['2001:db8::1', 1] }).get('/')).status).toBe(200);
    expect((await new TestClient(whole, { client: ['2001:db8::2', 1] }).get('/')).status).toBe(200);
    const s64 = rateLimit({ limit: 1, windowMs: 60_000, ipv6Subnet: 64 })(ok);
    expect((await new TestClient(s64, { client: ['2001:db8:0:1::1', 1] }).get('/')).status).toBe(200);
    expect((await new TestClient(s64, { client: ['2001:db8:0:1::2', 1] }).get('/')).status).toBe(429);
    expect((await new TestClient(s64, { client: ['2001:db8:0:2::1', 1] }).get('/')).status).toBe(200);
  });

  it('an IPv4-mapped address counts as the IPv4 address (not as one shared ::ffff:0:0/56 bucket)', async () => {
    const app = rateLimit({ limit: 1, windowMs: 60_000 })(ok);
    expect((await new TestClient(app, { client: ['::ffff:10.0.0.1', 1] }).get('/')).status).toBe(200);
    expect((await new TestClient(app, { client: ['10.0.0.1', 1] }).get('/')).status).toBe(429);
    expect((await new TestClient(app, { client: ['::ffff:10.0.0.2', 1] }).get('/')).status).toBe(200);
  });

  it('refuses a bad ipv6Subnet', () => {
    for (const bad of [0, 129, 1.5, Number.NaN, '64', true]) {
      expect(() => rateLimit({ ipv6Subnet: bad as never })).toThrow(/ipv6Subnet/);
    }
  });

  it('addressKey: prefixes, mapped addresses, zones and non-IPs', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1', 64)).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(addressKey('2001:db8:1:2ff:aaaa::1', 56)).toBe('2001:db8:1:200:0:0:0:0/56');
    expect(addressKey('1:2:3:4:5:6:7:8', 1)).toBe('0:0:0:0:0:0:0:0/1');
    expect(addressKey('ffff::', 1)).toBe('8000:0:0:0:0:0:0:0/1');
    expect(addressKey('fe80::1%eth0', 64)).toBe('fe80:0:0:0:0:0:0:0/64');
    expect(addressKey('1:2:3:4:5:6:1.2.3.4', 112)).toBe('1:2:3:4:5:6:102:0/112');
    expect(addressKey('::ffff:1.2.3.4', 56)).toBe('1.2.3.4');
    expect(addressKey('::ffff:102:304', 56)).toBe('1.2.3.4');
    expect(addressKey('2001:db8::1', false)).toBe('2001:db8::1');
    expect(addressKey('2001:db8::1', 128)).toBe('2001:db8::1');
    expect(addressKey('1.2.3.4', 56)).toBe('1.2.3.4');
    expect(addressKey('unknown', 56)).toBe('unknown');
  });
});
