import { describe, expect, it } from 'vitest';
import { TestClient } from '../src/index.js';
import { httpOnly, readBody } from './apps.js';

/** Sets cookies on /login, echoes the cookie header anywhere else. */
const cookieApp = httpOnly(async (scope, _receive, send) => {
  const headers: [string, string][] = [['content-type', 'text/plain']];
  if (scope.path === '/login') {
    headers.push(['set-cookie', 'sid=abc; Path=/; HttpOnly'], ['set-cookie', 'pref=dark; Path=/account']);
  }
  if (scope.path === '/logout') headers.push(['set-cookie', 'sid=; Path=/; Max-Age=0']);
  if (scope.path === '/secure') headers.push(['set-cookie', 'tok=1; Secure']);
  const cookie = scope.headers.find(([n]) => n === 'cookie')?.[1] ?? '';
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body: cookie });
});

describe('cookie jar', () => {
  it('stores Set-Cookie and sends matching cookies back; Max-Age=0 deletes', async () => {
    const client = new TestClient(cookieApp);
    expect((await client.get('/login')).text).toBe('');
    expect(client.cookies.get('sid')).toBe('abc');
    expect((await client.get('/')).text).toBe('sid=abc');
    expect((await client.get('/account/settings')).text).toBe('pref=dark; sid=abc');
    await client.get('/logout');
    expect((await client.get('/account')).text).toBe('pref=dark');
  });

  it('joins the jar with a cookie header the test set itself', async () => {
    const client = new TestClient(cookieApp);
    client.cookies.set('a', '1');
    expect((await client.get('/', { headers: { cookie: 'b=2' } })).text).toBe('b=2; a=1');
  });

  it('keeps Secure cookies to https', async () => {
    const plain = new TestClient(cookieApp);
    await plain.get('/secure');
    expect(plain.cookies.all()).toEqual([]);
    const tls = new TestClient(cookieApp, { scheme: 'https', server: ['testserver', 443] });
    await tls.get('/secure');
    expect((await tls.get('/')).text).toBe('tok=1');
  });

  it('is per client, and off with cookies: false', async () => {
    const a = new TestClient(cookieApp);
    const b = new TestClient(cookieApp);
    await a.get('/login');
    expect((await b.get('/')).text).toBe('');
    const off = new TestClient(cookieApp, { cookies: false });
    await off.get('/login');
    expect(off.cookies.all()).toEqual([]);
    expect((await off.get('/')).text).toBe('');
  });

  it('sends the jar on WebSocket and SSE requests', async () => {
    const seen: string[] = [];
    const client = new TestClient(async (scope, _receive, send) => {
      seen.push(scope.type === 'lifespan' ? '' : (scope.headers.find(([n]) => n === 'cookie')?.[1] ?? ''));
      if (scope.type === 'websocket') await send({ type: 'websocket.close', code: 1000 });
      if (scope.type === 'sse') {
        await send({ type: 'sse.start', status: 200 });
        await send({ type: 'sse.close' });
      }
    });
    client.cookies.set('s', '1');
    await client.websocket('/ws');
    await (await client.sse('/events')).finished();
    expect(seen).toEqual(['s=1', 's=1']);
  });
});

/** /a → 302 /b → 307 /c (keeps body) → 200 echo; /loop redirects to itself. */
const redirectApp = httpOnly(async (scope, receive, send) => {
  const body = await readBody(receive);
  const redirect = async (status: number, location: string, cookie?: string) => {
    const headers: [string, string][] = [['location', location]];
    if (cookie) headers.push(['set-cookie', cookie]);
    await send({ type: 'http.response.start', status, headers });
    await send({ type: 'http.response.body', body: 'moved' });
  };
  switch (scope.path) {
    case '/a':
      return redirect(302, '/b?x=1', 'hop=1');
    case '/b':
      return redirect(307, 'c');
    case '/see-other':
      return redirect(303, 'http://testserver/c');
    case '/perm':
      return redirect(308, '/c');
    case '/loop':
      return redirect(301, '/loop');
    case '/away':
      return redirect(302, 'https://elsewhere.example/');
  }
  const cookie = scope.headers.find(([n]) => n === 'cookie')?.[1] ?? '';
  const type = scope.headers.find(([n]) => n === 'content-type')?.[1] ?? '';
  await send({ type: 'http.response.start', status: 200 });
  await send({
    type: 'http.response.body',
    body: JSON.stringify({
      method: scope.method,
      path: scope.path,
      q: scope.query_string,
      body: `${body}`,
      cookie,
      type,
    }),
  });
});

describe('redirects', () => {
  it('are not followed by default', async () => {
    const res = await new TestClient(redirectApp).post('/a', { body: 'x' });
    expect(res.status).toBe(302);
    expect(res.header('location')).toBe('/b?x=1');
    expect(res.history).toEqual([]);
  });

  it('302 turns a POST into a GET without body; 307 keeps method; relative Location; jar per hop', async () => {
    const client = new TestClient(redirectApp, { followRedirects: true });
    const res = await client.post('/a', { json: { a: 1 } });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ method: 'GET', path: '/c', q: '', body: '', cookie: 'hop=1', type: '' });
    expect(res.url).toBe('/c');
    expect(res.history.map((h) => [h.status, h.url])).toEqual([
      [302, '/a'],
      [307, '/b?x=1'],
    ]);
  });

  it('307/308 keep method and body; 303 switches to GET; absolute same-origin Location', async () => {
    const client = new TestClient(redirectApp);
    const perm = await client.put('/perm', { body: 'data', followRedirects: true });
    expect(perm.json()).toMatchObject({ method: 'PUT', body: 'data' });
    const see = await client.post('/see-other', { form: { a: '1' }, followRedirects: true });
    expect(see.json()).toMatchObject({ method: 'GET', body: '', type: '' });
  });

  it('a loop fails after maxRedirects with the history', async () => {
    const client = new TestClient(redirectApp, { followRedirects: true, maxRedirects: 3 });
    const error = await client.get('/loop').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAGI_ERR_TEST_TOO_MANY_REDIRECTS' });
    expect((error as Error).message).toMatch(/expected at most 3 redirects, got more: 301 \/loop -> /);
    await expect(new TestClient(redirectApp, { followRedirects: true }).get('/loop')).rejects.toThrow(
      /expected at most 10 redirects/,
    );
  });

  it('another origin is not followed: the 3xx is returned', async () => {
    const res = await new TestClient(redirectApp).get('/away', { followRedirects: true });
    expect(res.status).toBe(302);
    expect(res.header('location')).toBe('https://elsewhere.example/');
  });
});

describe('request URL (cookies and redirects)', () => {
  it('copes with an IPv6 server and a Host header no URL can hold', async () => {
    const v6 = new TestClient(cookieApp, { server: ['::1', 8080] });
    await v6.get('/login');
    expect((await v6.get('/')).text).toBe('sid=abc');
    v6.cookies.set('own', '1');
    expect((await v6.get('/')).text).toBe('sid=abc; own=1');
    expect(await (await v6.fetch('/')).text()).toBe('sid=abc; own=1');
    const odd = new TestClient(cookieApp);
    expect((await odd.get('/login', { headers: { host: 'bad host' } })).status).toBe(200);
    expect(odd.cookies.get('sid')).toBe('abc');
  });
});

describe('cookies from WebSocket and SSE answers', () => {
  it('stores Set-Cookie of a WebSocket accept, a WebSocket denial and an SSE start', async () => {
    const client = new TestClient(async (scope, receive, send) => {
      if (scope.type === 'websocket') {
        await receive();
        if (scope.path === '/deny') {
          await send({
            type: 'websocket.http.response.start',
            status: 401,
            headers: [['set-cookie', 'd=1']],
          });
          await send({ type: 'websocket.http.response.body', body: '' });
        } else {
          await send({ type: 'websocket.accept', headers: [['set-cookie', 'w=1']] });
          await send({ type: 'websocket.close', code: 1000 });
        }
      }
      if (scope.type === 'sse') {
        await send({ type: 'sse.start', status: 200, headers: [['set-cookie', 's=1']] });
        await send({ type: 'sse.close' });
      }
    });
    await client.websocket('/ws');
    await client.websocket('/deny');
    await (await client.sse('/events')).finished();
    expect(client.cookies.toJSON()).toEqual({ w: '1', d: '1', s: '1' });
  });
});

describe('redirect options', () => {
  it('refuses a maxRedirects that is not an integer ≥ 0; 0 fails on the first redirect', async () => {
    expect(() => new TestClient(redirectApp, { maxRedirects: -1 })).toThrow(
      /maxRedirects: expected a non-negative integer, got -1/,
    );
    const none = new TestClient(redirectApp, { followRedirects: true, maxRedirects: 0 });
    await expect(none.get('/a')).rejects.toThrow(/expected at most 0 redirects, got more: 302 \/a$/);
  });
});
