import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostName } from '../src/host.js';
import { httpsRedirect } from '../src/index.js';

const app: App = async (scope, receive, send) => {
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'app' });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200 });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
  }
};
const plain = (mw = httpsRedirect()) => new TestClient(mw(app), { followRedirects: false });
const secure = (mw = httpsRedirect()) => new TestClient(mw(app), { scheme: 'https', followRedirects: false });

describe('httpsRedirect', () => {
  it('redirects http to https with 308, keeping the raw path and query', async () => {
    const res = await plain().get('/a%20b/c?x=1&y=%2F', { headers: { host: 'Example.COM:8080' } });
    expect(res.status).toBe(308);
    expect(res.header('location')).toBe('https://example.com/a%20b/c?x=1&y=%2F');
    expect(res.text).toBe('Redirecting to https://example.com/a%20b/c?x=1&y=%2F');
  });

  it('refuses a malformed or unlisted Host with 400: no open redirect (upstream used the raw Host)', async () => {
    for (const host of [
      'evil.com/x',
      'evil.com#.example.com',
      'a b',
      '',
      'example.com:99999',
      'ex_ample.com',
      'user@evil.com',
    ]) {
      const res = await plain().get('/', { headers: { host } });
      expect(res.status, host).toBe(400);
      expect(res.header('location')).toBeUndefined();
    }
    const listed = httpsRedirect({ hosts: ['example.com'] });
    expect((await plain(listed).get('/', { headers: { host: 'evil.com' } })).status).toBe(400);
    expect((await plain(listed).get('/', { headers: { host: 'EXAMPLE.com.' } })).header('location')).toBe(
      'https://example.com/',
    );
  });

  it('a path like //evil.com stays a path on the checked host', async () => {
    const res = await plain().get('//evil.com/x', { headers: { host: 'example.com' } });
    expect(res.header('location')).toBe('https://example.com//evil.com/x');
  });

  it('status, port and exclude options', async () => {
    const mw = httpsRedirect({ status: 301, port: 8443, exclude: ['/health', /^\/public\//] });
    const res = await plain(mw).get('/x', { headers: { host: 'example.com' } });
    expect(res.status).toBe(301);
    expect(res.header('location')).toBe('https://example.com:8443/x');
    expect((await plain(mw).get('/health', { headers: { host: 'example.com' } })).text).toBe('app');
    expect((await plain(mw).get('/public/a.css', { headers: { host: 'example.com' } })).text).toBe('app');
  });

  it('passes https through; hsts adds Strict-Transport-Security there only, not over the app’s own', async () => {
    expect((await secure().get('/')).text).toBe('app');
    expect((await secure().get('/')).header('strict-transport-security')).toBeUndefined();
    const mw = httpsRedirect({ hsts: 'max-age=63072000; includeSubDomains; preload' });
    expect((await secure(mw).get('/')).header('strict-transport-security')).toBe(
      'max-age=63072000; includeSubDomains; preload',
    );
    expect(
      (await plain(mw).get('/', { headers: { host: 'example.com' } })).header('strict-transport-security'),
    ).toBeUndefined();
    const own: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [['strict-transport-security', 'max-age=1']],
      });
      await send({ type: 'http.response.body' });
    };
    const res = await new TestClient(mw(own), { scheme: 'https' }).get('/');
    expect(res.headerValues('strict-transport-security')).toEqual(['max-age=1']);
  });

  it('redirects plain SSE too, and adds HSTS to sse.start over https', async () => {
    const feed = await plain().sse('/events', { headers: { host: 'example.com' } });
    expect(feed.status).toBe(308);
    expect(feed.header('location')).toBe('https://example.com/events');
    const ok = await secure(httpsRedirect({ hsts: 'max-age=60' })).sse('/events');
    expect(ok.header('strict-transport-security')).toBe('max-age=60');
    await ok.disconnect();
  });

  it('refuses plain ws with 403 (upstream let it through); wss passes with HSTS; websocket: allow', async () => {
    const refused = await plain().websocket('/ws', { headers: { host: 'example.com' } });
    expect(refused.accepted).toBe(false);
    const ok = await secure(httpsRedirect({ hsts: 'max-age=60' })).websocket('/ws');
    expect(ok.acceptHeaders).toEqual([['strict-transport-security', 'max-age=60']]);
    await ok.close();
    const allowed = await plain(httpsRedirect({ websocket: 'allow' })).websocket('/ws');
    expect(allowed.accepted).toBe(true);
    await allowed.close();
  });

  it('hostName accepts only names, IP literals and ports (property: never throws, lowercase out)', () => {
    expect(hostName('[::1]:8443')).toBe('[::1]');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    fc.assert(
      fc.property(fc.string(), (s) => {
        const name = hostName(s);
        expect(name === undefined || /^[a-z0-9.\-[\]:]+$/.test(name)).toBe(true);
      }),
    );
  });

  it('passes lifespan through with the very same scope', async () => {
    let got: unknown;
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await httpsRedirect()(async (s) => {
      got = s;
    })(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(got).toBe(scope);
  });

  it('refuses unknown options and bad values when called', () => {
    expect(() => httpsRedirect({ redirect_code: 301 } as never)).toThrow(/unknown option 'redirect_code'/);
    expect(() => httpsRedirect({ hosts: [] })).toThrow(/non-empty/);
    expect(() => httpsRedirect({ hosts: ['example.com:443'] })).toThrow(/without port/);
    expect(() => httpsRedirect({ port: 0 })).toThrow(/port/);
    expect(() => httpsRedirect({ status: 303 as never })).toThrow(/301, 302, 307 or 308, got 303/);
    expect(() => httpsRedirect({ exclude: [5 as never] })).toThrow(/exclude/);
    expect(() => httpsRedirect({ hsts: 'a\nb' })).toThrow();
    expect(() => httpsRedirect({ websocket: 'redirect' as never })).toThrow(/websocket/);
  });

  it('names its functions for stack traces', () => {
    expect(httpsRedirect().name).toBe('httpsRedirect');
    expect(httpsRedirect()(app).name).toBe('httpsRedirect');
  });
});

// Over https everything passes on, which is what the shared checks drive.
describeMiddlewareChecks(
  'httpsRedirect: the shared middleware checks of @pagi/test',
  httpsRedirect({ exclude: [/^\//] }),
  {
    handles: ['http', 'sse', 'websocket'],
  },
);
