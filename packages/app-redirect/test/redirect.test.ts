import { PagiValidationError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { redirect } from '../src/index.js';

const get = async (app: ReturnType<typeof redirect>, path: string) => new TestClient(app).get(path);

describe('redirect: HTTP', () => {
  it('302 to a fixed absolute URL by default, with an empty body', async () => {
    const res = await get(redirect('https://example.com/new'), '/old');
    expect(res.status).toBe(302);
    expect(res.header('location')).toBe('https://example.com/new');
    expect(res.header('content-length')).toBe('0');
  });

  it.each([301, 302, 303, 307, 308] as const)('status %i', async (status) => {
    expect((await get(redirect('/x', { status }), '/')).status).toBe(status);
  });

  it('a relative target is sent as is (the client resolves it)', async () => {
    expect((await get(redirect('../up'), '/a/b')).header('location')).toBe('../up');
  });

  it('preserves the query by default: ? or &, before a #fragment', async () => {
    expect((await get(redirect('/new'), '/old?a=1&b=2')).header('location')).toBe('/new?a=1&b=2');
    expect((await get(redirect('/new?x=0'), '/old?a=1')).header('location')).toBe('/new?x=0&a=1');
    expect((await get(redirect('/new#top'), '/old?a=1')).header('location')).toBe('/new?a=1#top');
    expect((await get(redirect('/new'), '/old')).header('location')).toBe('/new');
    expect((await get(redirect('/new', { preserveQuery: false }), '/old?a=1')).header('location')).toBe(
      '/new',
    );
  });

  it('query bytes outside visible ASCII are percent-encoded, never copied raw', async () => {
    const app = redirect('/new');
    const scope = {
      type: 'http',
      method: 'GET',
      path: '/',
      query_string: 'a=\r\nset-cookie:x\u00ff',
      root_path: '',
      headers: [],
      extensions: {},
    };
    const sent: { type: string; headers?: [string, string][] }[] = [];
    await app(
      scope as never,
      async () => ({ type: 'http.request', body: new Uint8Array(), more: false }) as never,
      async (e) => {
        sent.push(e as never);
      },
    );
    expect(sent[0]?.headers).toContainEqual(['location', '/new?a=%0D%0Aset-cookie:x%FF']);
  });

  it('non-ASCII in a target is percent-encoded as UTF-8', async () => {
    expect((await get(redirect('/caf\u00e9 menu'), '/')).header('location')).toBe('/caf%C3%A9%20menu');
  });

  it('a target function gets the scope (sync or async)', async () => {
    const app = redirect(async (scope) => `/v2${scope.path.slice(scope.root_path.length)}`, { status: 308 });
    const res = await get(app, '/users/7?x=1');
    expect(res.status).toBe(308);
    expect(res.header('location')).toBe('/v2/users/7?x=1');
  });

  it('a computed target with CR/LF or protocol-relative is refused per request', async () => {
    const crlf = redirect(() => '/x\r\nset-cookie: evil=1');
    await expect(new TestClient(crlf).get('/')).rejects.toThrow(/control characters/);
    const open = redirect((scope) => scope.path.replace('/go', ''));
    await expect(new TestClient(open).get('/go//evil.example')).rejects.toThrow(/open redirect/);
    await expect(new TestClient(open).get('/go/\\evil.example')).rejects.toThrow(/open redirect/);
    const empty = redirect(() => '');
    await expect(new TestClient(empty).get('/')).rejects.toThrow(PagiValidationError);
  });
});

describe('redirect: other scopes', () => {
  it('SSE is declined with the redirect; WebSocket denied with it', async () => {
    const client = new TestClient(redirect('/elsewhere', { status: 307 }));
    const sse = await client.sse('/events');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(307);
    expect(sse.header('location')).toBe('/elsewhere');
    const ws = await client.websocket('/ws');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(307);
  });

  it('lifespan is declined without a crash', async () => {
    await expect(new TestClient(redirect('/x')).startup()).resolves.toBeUndefined();
  });
});

describe('redirect: factory checks', () => {
  it.each([
    ['/x\r\nset-cookie: a=1', 'control characters'],
    ['/x\nfoo', 'control characters'],
    ['/x\u0000', 'control characters'],
    ['/x\ty', 'control characters'],
    ['/x\u007f', 'control characters'],
    ['', 'non-empty string'],
    [42, 'non-empty string'],
  ])('target %j is refused', (to, message) => {
    expect(() => redirect(to as never)).toThrow(PagiValidationError);
    expect(() => redirect(to as never)).toThrow(message);
  });

  it('a fixed protocol-relative target is the author’s choice and allowed', () => {
    expect(() => redirect('//cdn.example.com/x')).not.toThrow();
  });

  it('refuses bad statuses and options', () => {
    expect(() => redirect('/x', { status: 200 as never })).toThrow('status');
    expect(() => redirect('/x', { status: 304 as never })).toThrow('status');
    expect(() => redirect('/x', { preserveQuery: 'yes' as never })).toThrow('preserveQuery');
    expect(() => redirect('/x', { permanent: true } as never)).toThrow("unknown option 'permanent'");
  });
});
