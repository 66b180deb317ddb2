import type { App, HeaderList, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { type ReverseProxyOptions, reverseProxy } from '../src/index.js';

/** Reports the client and scheme it was given, on every protocol. */
const inner: App = async (scope, receive, send) => {
  if (scope.type === 'lifespan') return;
  const seen: HeaderList = [
    ['x-client', scope.client === undefined ? '-' : `${scope.client[0]}:${scope.client[1]}`],
    ['x-scheme', scope.scheme],
  ];
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: seen });
    await send({ type: 'http.response.body', body: 'one ', more: true });
    await send({ type: 'http.response.body', body: 'two' });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200, headers: seen });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept', headers: seen });
  }
};
const from = (peer: string, options: ReverseProxyOptions = {}, scheme: 'http' | 'https' = 'http') =>
  new TestClient(reverseProxy(options)(inner), { client: [peer, 40000], scheme });
const seen = async (c: TestClient, headers: Record<string, string> | HeaderList) => {
  const res = await c.get('/', { headers });
  return [res.header('x-client'), res.header('x-scheme')];
};

describe('reverseProxy: trusted peers', () => {
  it('X-Forwarded-For / -Proto from the default trusted loopback', async () => {
    expect(
      await seen(from('127.0.0.1'), { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' }),
    ).toEqual(['203.0.113.7:0', 'https']);
    expect(await seen(from('::1'), { 'x-forwarded-for': '2001:db8::7' })).toEqual(['2001:db8::7:0', 'http']);
  });

  it('Forwarded (RFC 7239) wins over X-Forwarded-*, with ports and IPv6', async () => {
    const headers = {
      forwarded: 'for="[2001:db8::1]:4711";proto=https',
      'x-forwarded-for': '198.51.100.1',
      'x-forwarded-proto': 'http',
    };
    expect(await seen(from('127.0.0.1'), headers)).toEqual(['2001:db8::1:4711', 'https']);
  });

  it('CIDR ranges, v4 and v6', async () => {
    const options = { trustedProxies: ['10.0.0.0/8', 'fd00::/8'] };
    expect(await seen(from('10.1.2.3', options), { 'x-forwarded-for': '203.0.113.9' })).toEqual([
      '203.0.113.9:0',
      'http',
    ]);
    expect(await seen(from('fd12::1', options), { 'x-forwarded-for': '203.0.113.9' })).toEqual([
      '203.0.113.9:0',
      'http',
    ]);
    expect(await seen(from('127.0.0.1', options), { 'x-forwarded-for': '203.0.113.9' })).toEqual([
      '127.0.0.1:40000',
      'http',
    ]);
  });

  it('https → http from the proxy downgrades the scheme too', async () => {
    expect(await seen(from('127.0.0.1', {}, 'https'), { 'x-forwarded-proto': 'http' })).toEqual([
      '127.0.0.1:40000',
      'http',
    ]);
  });
});

describe('reverseProxy: attacks', () => {
  it('headers from an untrusted peer are ignored, whatever they say', async () => {
    const c = from('198.51.100.66');
    expect(await seen(c, { 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' })).toEqual([
      '198.51.100.66:40000',
      'http',
    ]);
    expect(await seen(c, { forwarded: 'for=127.0.0.1;proto=https' })).toEqual([
      '198.51.100.66:40000',
      'http',
    ]);
  });

  it('the client is the right-most untrusted hop, not the spoofable left-most (upstream took the left-most)', async () => {
    const options = { trustedProxies: ['127.0.0.1', '10.0.0.0/8'] };
    // The client sent `X-Forwarded-For: 6.6.6.6`; the proxy appended the real peer 1.2.3.4.
    expect(
      await seen(from('127.0.0.1', options), { 'x-forwarded-for': '6.6.6.6, 1.2.3.4, 10.0.0.5' }),
    ).toEqual(['1.2.3.4:0', 'http']);
    expect(
      await seen(from('127.0.0.1', options), { forwarded: 'for=6.6.6.6, for=1.2.3.4, for=10.0.0.5' }),
    ).toEqual(['1.2.3.4:0', 'http']);
  });

  it('garbage where the client should be leaves the peer as the client', async () => {
    for (const xff of ['unknown', 'not-an-ip', '1.2.3.4:99999', `${'9'.repeat(100)}`]) {
      expect((await seen(from('127.0.0.1'), { 'x-forwarded-for': xff }))[0], xff).toBe('127.0.0.1:40000');
    }
    expect((await seen(from('127.0.0.1'), { forwarded: 'for="1.2.3.4' }))[0]).toBe('127.0.0.1:40000');
  });

  it('an unknown proto is ignored', async () => {
    expect((await seen(from('127.0.0.1'), { 'x-forwarded-proto': 'javascript' }))[1]).toBe('http');
  });

  it('several X-Forwarded-For lines are one list (no hiding a hop in a second line)', async () => {
    const headers: HeaderList = [
      ['x-forwarded-for', '6.6.6.6'],
      ['x-forwarded-for', '1.2.3.4'],
    ];
    expect((await seen(from('127.0.0.1'), headers))[0]).toBe('1.2.3.4:0');
  });
});

describe('reverseProxy: SSE and WebSocket scopes are rewritten too (upstream left them alone)', () => {
  it('sse', async () => {
    const sse = await from('127.0.0.1').sse('/events', {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    expect(sse.header('x-client')).toBe('203.0.113.7:0');
    expect(sse.header('x-scheme')).toBe('https');
  });

  it('websocket gets ws/wss', async () => {
    const ws = await from('127.0.0.1').websocket('/ws', {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    expect(ws.acceptHeaders).toContainEqual(['x-client', '203.0.113.7:0']);
    expect(ws.acceptHeaders).toContainEqual(['x-scheme', 'wss']);
  });
});

describe('reverseProxy: options', () => {
  it('refuses unknown options and bad entries when called', () => {
    expect(() => reverseProxy({ trusted: [] } as never)).toThrow(/unknown option 'trusted'/);
    expect(() => reverseProxy({ trustedProxies: ['10.0.0.0/33'] })).toThrow(/trustedProxies/);
    expect(() => reverseProxy({ trustedProxies: ['example.com'] })).toThrow(/expected an IP address/);
    expect(() => reverseProxy({ trustedProxies: '10.0.0.1' as never })).toThrow(/array of strings/);
  });

  it("'*' trusts every peer", async () => {
    expect(
      (await seen(from('198.51.100.1', { trustedProxies: ['*'] }), { 'x-forwarded-for': '203.0.113.7' }))[0],
    ).toBe('203.0.113.7:0');
  });

  it('no proxy headers: the very same scope reaches the app', async () => {
    let got: unknown;
    const scope = {
      type: 'http',
      client: ['127.0.0.1', 1],
      scheme: 'http',
      headers: [['host', 'a']],
    } as unknown as Scope;
    await reverseProxy()(async (s) => {
      got = s;
    })(
      scope,
      async () => ({}) as never,
      async () => {},
    );
    expect(got).toBe(scope);
  });

  it('passes lifespan through; lets app errors through; names its functions', async () => {
    let seenScope: unknown;
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await reverseProxy()(async (s) => {
      seenScope = s;
    })(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(seenScope).toBe(scope);
    const boom = new Error('inner app failed');
    await expect(
      new TestClient(
        reverseProxy()(async () => {
          throw boom;
        }),
      ).get('/'),
    ).rejects.toBe(boom);
    expect(reverseProxy().name).toBe('reverseProxy');
    expect(reverseProxy()(inner).name).toBe('reverseProxy');
  });
});

describeMiddlewareChecks('reverseProxy: the shared middleware checks of @pagi/test', reverseProxy(), {
  handles: ['http', 'sse', 'websocket'],
  request: { headers: { 'x-forwarded-for': '203.0.113.7' } },
});
