import type { App, HeaderList, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { type TrustedHostsOptions, trustedHosts } from '../src/index.js';

const inner: App = async (scope, receive, send) => {
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'one ', more: true });
    await send({ type: 'http.response.body', body: 'two' });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200, headers: [] });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
  }
};
const client = (options: TrustedHostsOptions) => new TestClient(trustedHosts(options)(inner));
const statusFor = async (c: TestClient, host: string | HeaderList, path = '/') =>
  (await c.get(path, { headers: typeof host === 'string' ? { host } : host })).status;

/** Runs the middleware on a hand-made HTTP scope (headers exactly as given) and returns the status. */
async function rawStatus(options: TrustedHostsOptions, headers: HeaderList): Promise<number> {
  const events: { type: string; status?: number }[] = [];
  const scope = {
    type: 'http',
    pagi: { version: '0.3', spec_version: '0.3' },
    http_version: '1.1',
    method: 'GET',
    scheme: 'http',
    path: '/',
    query_string: '',
    root_path: '',
    headers,
  } as unknown as Scope;
  await trustedHosts(options)(inner)(
    scope,
    async () => ({ type: 'http.request', body: new Uint8Array(), more: false }) as never,
    async (e) => {
      events.push(e as { type: string });
    },
  );
  return events[0]?.status ?? -1;
}

describe('trustedHosts: matching', () => {
  it('exact names match any port, case-insensitively, with one trailing dot', async () => {
    const c = client({ hosts: ['example.com'] });
    for (const host of ['example.com', 'EXAMPLE.com', 'example.com:8443', 'example.com.']) {
      expect(await statusFor(c, host)).toBe(200);
    }
    expect(await statusFor(c, 'www.example.com')).toBe(400);
    expect(await statusFor(c, 'other.com')).toBe(400);
  });

  it('a port in the pattern pins it; no explicit port means the scheme default', async () => {
    const c = client({ hosts: ['example.com:8443', 'api.test:80'] });
    expect(await statusFor(c, 'example.com:8443')).toBe(200);
    expect(await statusFor(c, 'example.com:443')).toBe(400);
    expect(await statusFor(c, 'example.com')).toBe(400);
    expect(await statusFor(c, 'api.test')).toBe(200); // http → :80
    const https = new TestClient(trustedHosts({ hosts: ['example.com:443'] })(inner), { scheme: 'https' });
    expect(await statusFor(https, 'example.com')).toBe(200);
  });

  it('*.example.com matches sub-domains at any depth, never the apex', async () => {
    const c = client({ hosts: ['*.example.com'] });
    expect(await statusFor(c, 'a.example.com')).toBe(200);
    expect(await statusFor(c, 'a.b.example.com:81')).toBe(200);
    expect(await statusFor(c, 'example.com')).toBe(400);
    const both = client({ hosts: ['*.example.com', 'example.com'] });
    expect(await statusFor(both, 'example.com')).toBe(200);
  });

  it('wildcard with a port', async () => {
    const c = client({ hosts: ['*.example.com:8443'] });
    expect(await statusFor(c, 'a.example.com:8443')).toBe(200);
    expect(await statusFor(c, 'a.example.com')).toBe(400);
  });

  it('IPv6 literals', async () => {
    const c = client({ hosts: ['[::1]'] });
    expect(await statusFor(c, '[::1]:3000')).toBe(200);
    expect(await statusFor(c, '[::2]')).toBe(400);
  });
});

describe('trustedHosts: attacks', () => {
  it('look-alike and smuggled hosts are refused 400', async () => {
    const c = client({ hosts: ['example.com', '*.example.com'] });
    for (const host of [
      'evil.com#.example.com',
      'evil.com/.example.com',
      'evil.com?.example.com',
      'evil.com\\.example.com',
      'user@example.com',
      'example.com@evil.com',
      'evilexample.com',
      'evil-example.com',
      'example.com.evil.com',
      'example.com:80@evil.com',
      'example.com:99999',
      'example.com..',
      '.example.com',
      ' example.com',
      '',
    ]) {
      expect(await statusFor(c, host), host).toBe(400);
    }
  });

  it('patterns are literals, not regexes (pattern injection)', async () => {
    expect(() => trustedHosts({ hosts: ['.*'] })).toThrow(/expected a host like/);
    expect(() => trustedHosts({ hosts: ['example\\.com'] })).toThrow(/expected a host like/);
    expect(() => trustedHosts({ hosts: ['*'] })).toThrow(/expected a host like/);
    expect(() => trustedHosts({ hosts: ['ex*.com'] })).toThrow(/expected a host like/);
    expect(() => trustedHosts({ hosts: ['*.*.com'] })).toThrow(/expected a host like/);
    expect(() => trustedHosts({ hosts: ['a.com|evil.com'] })).toThrow(/expected a host like/);
    // A dot in a pattern is a dot: 'exampleXcom' never matches 'example.com'.
    expect(await statusFor(client({ hosts: ['example.com'] }), 'exampleXcom')).toBe(400);
  });

  it('a missing or repeated Host is refused', async () => {
    expect(await rawStatus({ hosts: ['example.com'] }, [])).toBe(400);
    expect(
      await rawStatus({ hosts: ['example.com'] }, [
        ['host', 'example.com'],
        ['host', 'evil.com'],
      ]),
    ).toBe(400);
    expect(await rawStatus({ hosts: ['example.com'] }, [['host', 'example.com']])).toBe(200);
  });

  it('SSE and WebSocket are checked too (WebSocket denied 400)', async () => {
    const c = client({ hosts: ['example.com'] });
    const sse = await c.sse('/events', { headers: { host: 'evil.com' } });
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(400);
    expect((await c.sse('/events', { headers: { host: 'example.com' } })).status).toBe(200);
    const ws = await c.websocket('/ws', { headers: { host: 'evil.com' } });
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(400);
    expect((await c.websocket('/ws', { headers: { host: 'example.com' } })).accepted).toBe(true);
  });
});

describe('trustedHosts: www redirect', () => {
  it('redirects the apex to www when only www is allowed, keeping port, path and query', async () => {
    const c = new TestClient(trustedHosts({ hosts: ['www.example.com'], wwwRedirect: true })(inner), {
      followRedirects: false,
    });
    const res = await c.get('/a%20b?x=1', { headers: { host: 'example.com:8080' } });
    expect(res.status).toBe(301);
    expect(res.header('location')).toBe('http://www.example.com:8080/a%20b?x=1');
    const post = await c.post('/p', { headers: { host: 'example.com' } });
    expect(post.status).toBe(308);
  });

  it('never redirects to a host that is not allowed, and is off by default', async () => {
    const on = new TestClient(trustedHosts({ hosts: ['www.example.com'], wwwRedirect: true })(inner), {
      followRedirects: false,
    });
    expect(await statusFor(on, 'evil.com')).toBe(400);
    expect(await statusFor(on, 'www.www.example.com')).toBe(400);
    const off = client({ hosts: ['www.example.com'] });
    expect(await statusFor(off, 'example.com')).toBe(400);
  });

  it('a path like //evil.com stays a path of the allowed host', async () => {
    const c = new TestClient(trustedHosts({ hosts: ['www.example.com'], wwwRedirect: true })(inner), {
      followRedirects: false,
    });
    const res = await c.get('//evil.com/x', { headers: { host: 'example.com' } });
    expect(res.header('location')).toBe('http://www.example.com//evil.com/x');
  });
});

describe('trustedHosts: options', () => {
  it('refuses unknown options, missing or empty hosts, bad values when called', () => {
    expect(() => trustedHosts({ hosts: ['a.com'], hostz: [] } as never)).toThrow(/unknown option 'hostz'/);
    expect(() => trustedHosts(undefined as never)).toThrow(/hosts/);
    expect(() => trustedHosts({ hosts: [] })).toThrow(/non-empty/);
    expect(() => trustedHosts({ hosts: [3 as never] })).toThrow(/strings/);
    expect(() => trustedHosts({ hosts: ['a.com'], wwwRedirect: 'yes' as never })).toThrow(/wwwRedirect/);
  });

  it('passes lifespan through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await trustedHosts({ hosts: ['a.com'] })(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
  });

  it('lets the inner app’s errors through unchanged; names its functions', async () => {
    const boom = new Error('inner app failed');
    const mw = trustedHosts({ hosts: ['testserver'] });
    await expect(
      new TestClient(
        mw(async () => {
          throw boom;
        }),
      ).get('/'),
    ).rejects.toBe(boom);
    expect(mw.name).toBe('trustedHosts');
    expect(mw(inner).name).toBe('trustedHosts');
  });
});

describeMiddlewareChecks(
  'trustedHosts: the shared middleware checks of @pagi/test',
  trustedHosts({ hosts: ['example.com'] }),
  { handles: ['http', 'sse', 'websocket'], request: { headers: { host: 'example.com' } } },
);
