import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { type CorsOptions, cors } from '../src/index.js';

/** Answers every protocol; HTTP with two chunks so streaming stays visible. */
const inner: App = async (scope, receive, send) => {
  if (scope.type === 'http') {
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [
        ['content-type', 'text/plain'],
        ['vary', 'Accept-Encoding'],
      ],
    });
    await send({ type: 'http.response.body', body: `app ${scope.method} `, more: true });
    await send({ type: 'http.response.body', body: 'done' });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200, headers: [] });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
  }
};
const client = (options: CorsOptions = {}) => new TestClient(cors(options)(inner));
const preflight = (c: TestClient, origin: string, headers: Record<string, string> = {}) =>
  c.request('OPTIONS', '/x', {
    headers: { origin, 'access-control-request-method': 'PUT', ...headers },
  });
const A = 'https://app.example.com';

describe('cors: preflight (Fetch §3.2.2)', () => {
  it('answers a real preflight 204 with methods, max-age and the asked headers echoed', async () => {
    const res = await preflight(client({ origin: A }), A, {
      'access-control-request-headers': 'x-token, content-type',
    });
    expect(res.status).toBe(204);
    expect(res.header('access-control-allow-origin')).toBe(A);
    expect(res.header('access-control-allow-methods')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
    expect(res.header('access-control-max-age')).toBe('600');
    expect(res.header('access-control-allow-headers')).toBe('x-token, content-type');
    expect(res.header('vary')).toBe('Origin, Access-Control-Request-Headers');
    expect(res.header('access-control-allow-credentials')).toBeUndefined();
  });

  it('OPTIONS without Access-Control-Request-Method reaches the app (upstream swallowed it)', async () => {
    const res = await client({ origin: A }).request('OPTIONS', '/x', { headers: { origin: A } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('app OPTIONS done');
    expect(res.header('access-control-allow-origin')).toBe(A);
  });

  it('OPTIONS without Origin reaches the app', async () => {
    const res = await client().request('OPTIONS', '/x', {
      headers: { 'access-control-request-method': 'PUT' },
    });
    expect(res.text).toBe('app OPTIONS done');
  });

  it('refuses a disallowed origin with no CORS headers but still Vary: Origin', async () => {
    const res = await preflight(client({ origin: A }), 'https://evil.com');
    expect(res.status).toBe(204);
    expect(res.header('access-control-allow-origin')).toBeUndefined();
    expect(res.header('access-control-allow-methods')).toBeUndefined();
    expect(res.header('vary')).toContain('Origin');
  });

  it('uses configured methods, allowHeaders, maxAge', async () => {
    const res = await preflight(client({ methods: ['GET', 'PUT'], allowHeaders: ['x-a'], maxAge: 5 }), A, {
      'access-control-request-headers': 'x-other',
    });
    expect(res.header('access-control-allow-origin')).toBe('*');
    expect(res.header('access-control-allow-methods')).toBe('GET, PUT');
    expect(res.header('access-control-allow-headers')).toBe('x-a');
    expect(res.header('access-control-max-age')).toBe('5');
    expect(res.header('vary')).toBeUndefined();
  });

  it('does not echo a malformed Access-Control-Request-Headers (attack: header smuggling)', async () => {
    const res = await preflight(client(), A, { 'access-control-request-headers': 'x-a, x b;evil=1' });
    expect(res.header('access-control-allow-headers')).toBeUndefined();
  });

  it('private network access: answered only when enabled and asked', async () => {
    const asked = { 'access-control-request-private-network': 'true' };
    expect(
      (await preflight(client(), A, asked)).header('access-control-allow-private-network'),
    ).toBeUndefined();
    const on = client({ privateNetwork: true });
    expect((await preflight(on, A, asked)).header('access-control-allow-private-network')).toBe('true');
    expect((await preflight(on, A)).header('access-control-allow-private-network')).toBeUndefined();
  });
});

describe('cors: actual requests', () => {
  it("'*' (default) allows any origin, no Vary, and leaves requests without Origin alone", async () => {
    const c = client();
    const res = await c.get('/', { headers: { origin: 'https://x.test' } });
    expect(res.header('access-control-allow-origin')).toBe('*');
    expect(res.header('vary')).toBe('Accept-Encoding');
    const plain = await c.get('/');
    expect(plain.header('access-control-allow-origin')).toBeUndefined();
  });

  it('exact list: allowed origin echoed, credentials and exposed headers, Vary merged', async () => {
    const c = client({ origin: [A], credentials: true, exposeHeaders: ['x-total', 'etag'] });
    const res = await c.get('/', { headers: { origin: A } });
    expect(res.header('access-control-allow-origin')).toBe(A);
    expect(res.header('access-control-allow-credentials')).toBe('true');
    expect(res.header('access-control-expose-headers')).toBe('x-total, etag');
    expect(res.headerValues('vary')).toEqual(['Accept-Encoding, Origin']);
    expect(res.text).toBe('app GET done');
  });

  it('no Origin, or a disallowed one: no CORS headers, but Vary: Origin (upstream omitted it)', async () => {
    const c = client({ origin: A, credentials: true });
    for (const headers of [{}, { origin: 'https://evil.com' }] as Record<string, string>[]) {
      const res = await c.get('/', { headers });
      expect(res.header('access-control-allow-origin')).toBeUndefined();
      expect(res.header('access-control-allow-credentials')).toBeUndefined();
      expect(res.header('vary')).toBe('Accept-Encoding, Origin');
    }
  });

  it('exact strings are exact: case, trailing slash, port and "null" do not match', async () => {
    const c = client({ origin: A });
    for (const origin of [
      'HTTPS://APP.EXAMPLE.COM',
      `${A}/`,
      `${A}:443`,
      'null',
      `${A}.evil.com`,
      'http://app.example.com',
    ]) {
      expect(
        (await c.get('/', { headers: { origin } })).header('access-control-allow-origin'),
      ).toBeUndefined();
    }
  });

  it('RegExp patterns are anchored to the whole origin (attack: evil-example.com, example.com.evil.com)', async () => {
    const c = client({ origin: /https:\/\/([a-z0-9-]+\.)?example\.com/ });
    for (const origin of ['https://example.com', 'https://app.example.com']) {
      expect((await c.get('/', { headers: { origin } })).header('access-control-allow-origin')).toBe(origin);
    }
    for (const origin of [
      'https://evil-example.com',
      'https://example.com.evil.com',
      'https://evil.com#.example.com',
      'https://evil.com/https://example.com',
      'http://example.com',
    ]) {
      expect(
        (await c.get('/', { headers: { origin } })).header('access-control-allow-origin'),
      ).toBeUndefined();
    }
  });

  it('an unanchored alternation cannot escape the anchors', async () => {
    const c = client({ origin: /https:\/\/a\.com|https:\/\/b\.com/ });
    expect(
      (await c.get('/', { headers: { origin: 'https://b.com' } })).header('access-control-allow-origin'),
    ).toBe('https://b.com');
    expect(
      (await c.get('/', { headers: { origin: 'https://b.com.evil.com' } })).header(
        'access-control-allow-origin',
      ),
    ).toBeUndefined();
  });

  it('a global RegExp gives the same answer every time (no lastIndex state)', async () => {
    const c = client({ origin: /https:\/\/a\.com/g });
    for (let i = 0; i < 3; i++) {
      expect(
        (await c.get('/', { headers: { origin: 'https://a.com' } })).header('access-control-allow-origin'),
      ).toBe('https://a.com');
    }
  });

  it('a function (sync or async) decides; only `true` allows', async () => {
    const seen: string[] = [];
    const c = client({
      origin: async (o) => {
        seen.push(o);
        return o === A;
      },
    });
    expect((await c.get('/', { headers: { origin: A } })).header('access-control-allow-origin')).toBe(A);
    expect(
      (await c.get('/', { headers: { origin: 'https://b' } })).header('access-control-allow-origin'),
    ).toBeUndefined();
    const truthy = client({ origin: (() => 'yes') as never });
    expect(
      (await truthy.get('/', { headers: { origin: A } })).header('access-control-allow-origin'),
    ).toBeUndefined();
    expect(seen).toEqual([A, 'https://b']);
  });

  it('an oversized Origin is refused without calling the check', async () => {
    let called = false;
    const c = client({
      origin: () => {
        called = true;
        return true;
      },
    });
    const res = await c.get('/', { headers: { origin: `https://${'a'.repeat(3000)}.com` } });
    expect(res.header('access-control-allow-origin')).toBeUndefined();
    expect(called).toBe(false);
  });

  it('SSE streams get the same headers; WebSocket passes through untouched', async () => {
    const c = client({ origin: A, credentials: true });
    const sse = await c.sse('/events', { headers: { origin: A } });
    expect(sse.header('access-control-allow-origin')).toBe(A);
    expect(sse.header('access-control-allow-credentials')).toBe('true');
    expect(sse.header('vary')).toBe('Origin');
    const ws = await c.websocket('/ws', { headers: { origin: 'https://evil.com' } });
    expect(ws.accepted).toBe(true);
    expect(ws.acceptHeaders).toEqual([]);
  });
});

describe('cors: options', () => {
  it('refuses credentials with the wildcard at factory time (upstream reflected any origin)', () => {
    expect(() => cors({ credentials: true })).toThrow(/credentials cannot be combined with origin '\*'/);
    expect(() => cors({ origin: '*', credentials: true })).toThrow(/credentials/);
    expect(() => cors({ origin: ['*', A] })).toThrow(/cannot be mixed/);
  });

  it('refuses unknown options and bad values when called', () => {
    expect(() => cors({ orgin: A } as never)).toThrow(/unknown option 'orgin'/);
    expect(() => cors({ methods: ['GET\r\nX: y'] })).toThrow(/methods/);
    expect(() => cors({ allowHeaders: ['a b'] })).toThrow(/allowHeaders/);
    expect(() => cors({ exposeHeaders: 'x' as never })).toThrow(/exposeHeaders/);
    expect(() => cors({ maxAge: -1 })).toThrow(/maxAge/);
    expect(() => cors({ origin: [''] })).toThrow(/origin rules/);
    expect(() => cors({ origin: [A, 3 as never] })).toThrow(/origin rules/);
    expect(() => cors({ privateNetwork: 'yes' as never })).toThrow(/booleans/);
  });

  it('passes lifespan through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await cors()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
  });

  it('lets the inner app’s errors through unchanged', async () => {
    const boom = new Error('inner app failed');
    await expect(
      new TestClient(
        cors()(async () => {
          throw boom;
        }),
      ).get('/'),
    ).rejects.toBe(boom);
  });

  it('names its functions for stack traces', () => {
    expect(cors().name).toBe('cors');
    expect(cors()(inner).name).toBe('cors');
  });
});

describeMiddlewareChecks(
  'cors: the shared middleware checks of @pagi/test',
  cors({ origin: A, credentials: true }),
  {
    handles: ['http', 'sse'],
    request: { headers: { origin: A } },
  },
);
