import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import {
  bearerTransport,
  cookieTransport,
  headerTransport,
  isSessionId,
  memoryStore,
  newSessionId,
  type SessionOptions,
  type SessionTransport,
  session,
} from '../src/index.js';
import { sessionApp, spyStore } from './support.js';

/** /login sets the user (regenerating), /me reads, /logout destroys, /id shows the ID. */
const routes = sessionApp((s, path) => {
  switch (path) {
    case '/login':
      s.regenerate();
      s.set('user', 'alice');
      return s.id;
    case '/set':
      s.set('n', (s.get<number>('n') ?? 0) + 1);
      return s.get('n');
    case '/me':
      return { user: s.get('user') ?? null, isNew: s.isNew, keys: s.keys() };
    case '/logout':
      s.destroy();
      return 'bye';
    case '/id':
      return s.id;
    case '/clear':
      s.clear();
      return s.keys();
    case '/touch':
      s.touch();
      return null;
    default:
      return null;
  }
});

function setup(options: SessionOptions = {}, https = false) {
  const store = spyStore(memoryStore());
  const client = new TestClient(session({ store, ...options })(routes), https ? { scheme: 'https' } : {});
  return { store, client };
}

describe('session: lifecycle with the default cookie transport', () => {
  it('a new session that stays empty is neither stored nor sent', async () => {
    const { store, client } = setup();
    const res = await client.get('/me');
    expect(res.json()).toEqual({ user: null, isNew: true, keys: [] });
    expect(res.header('set-cookie')).toBeUndefined();
    expect(store.calls).toEqual([]);
  });

  it('set() stores the session and sends the cookie with secure defaults; the jar carries it back', async () => {
    const { store, client } = setup();
    const res = await client.get('/set');
    const cookie = res.header('set-cookie') as string;
    expect(cookie).toMatch(/^pagi_session=[A-Za-z0-9_-]{43}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(isSessionId(client.cookies.get('pagi_session') as string)).toBe(true);
    expect((await client.get('/set')).json()).toBe(2);
    expect(store.calls).toEqual(['set', 'get', 'set']);
  });

  it('Secure is added when the request came over https', async () => {
    const { client } = setup({}, true);
    expect((await client.get('/set')).header('set-cookie')).toMatch(/; Secure; SameSite=Lax$/);
  });

  it('only writes when changed: an unchanged read sends no cookie and writes nothing', async () => {
    const { store, client } = setup();
    await client.get('/set');
    store.calls.length = 0;
    const res = await client.get('/me');
    expect(res.json()).toEqual({ user: null, isNew: false, keys: ['n'] });
    expect(res.header('set-cookie')).toBeUndefined();
    expect(store.calls).toEqual(['get']);
  });

  it('a nested mutation through get() counts as a change (snapshot comparison)', async () => {
    const store = spyStore(memoryStore());
    const app = session({ store })(
      sessionApp((s, path) => {
        if (path === '/init') s.set('cart', []);
        else s.get<string[]>('cart')?.push('apple');
        return s.get('cart');
      }),
    );
    const client = new TestClient(app);
    await client.get('/init');
    await client.get('/add');
    expect((await client.get('/add')).json()).toEqual(['apple', 'apple']);
  });

  it('clear() empties the data, the session stays', async () => {
    const { client } = setup();
    await client.get('/set');
    const id = client.cookies.get('pagi_session');
    expect((await client.get('/clear')).json()).toEqual([]);
    expect((await client.get('/me')).json()).toEqual({ user: null, isNew: false, keys: [] });
    expect(client.cookies.get('pagi_session')).toBe(id);
  });

  it('destroy() deletes the record and clears the cookie; the jar drops it', async () => {
    const { store, client } = setup();
    await client.get('/login');
    store.calls.length = 0;
    const res = await client.get('/logout');
    expect(res.header('set-cookie')).toMatch(/^pagi_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect(store.calls).toEqual(['get', 'delete']);
    expect(client.cookies.get('pagi_session')).toBeUndefined();
    expect((await client.get('/me')).json()).toMatchObject({ user: null, isNew: true });
  });

  it('regenerate() issues a new ID for the same data, deletes the old record; the handler sees the new ID', async () => {
    const { client } = setup();
    await client.get('/set');
    const before = client.cookies.get('pagi_session') as string;
    const res = await client.get('/login');
    const after = client.cookies.get('pagi_session') as string;
    expect(after).not.toBe(before);
    expect(res.json()).toBe(after);
    expect((await client.get('/me')).json()).toEqual({ user: 'alice', isNew: false, keys: ['n', 'user'] });
    // The old ID no longer finds anything: a stolen pre-login ID is worthless.
    expect((await client.get('/me', { headers: { cookie: `pagi_session=${before}` } })).json()).toMatchObject(
      {
        isNew: true,
      },
    );
  });

  it('writes after the response started throw PAGI_ERR_STATE', async () => {
    let error: unknown;
    const app = session()(async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      const { SESSION } = await import('@pagi/spec/middleware');
      await send({ type: 'http.response.start', status: 200, headers: [] });
      try {
        SESSION.require(scope).set('late', 1);
      } catch (e) {
        error = e;
      }
      await send({ type: 'http.response.body', body: '' });
    });
    await new TestClient(app).get('/');
    expect(error).toMatchObject({ code: 'PAGI_ERR_STATE' });
  });

  it('set() refuses values JSON cannot store; undefined deletes', async () => {
    const app = session()(
      sessionApp((s) => {
        const out: unknown[] = [];
        for (const v of [10n, () => 1]) {
          try {
            s.set('x', v);
          } catch (e) {
            out.push((e as { code: string }).code);
          }
        }
        s.set('y', 1);
        s.set('y', undefined);
        out.push(s.has('y'));
        return out;
      }),
    );
    expect((await new TestClient(app).get('/')).json()).toEqual([
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_VALIDATION',
      false,
    ]);
  });
});

describe('session: attack tests (fixation, forged and replayed IDs)', () => {
  it('fixation: an attacker-chosen ID is never adopted, a new random ID is issued', async () => {
    const { store, client } = setup();
    const chosen = newSessionId(); // well-formed, but unknown to the store
    client.cookies.set('pagi_session', chosen);
    const res = await client.get('/set');
    const issued = client.cookies.get('pagi_session');
    expect(issued).not.toBe(chosen);
    expect(isSessionId(issued as string)).toBe(true);
    expect(res.header('set-cookie')).not.toContain(chosen);
    expect(store.calls).toEqual(['get', 'set']);
  });

  it('fixation: even reading the id of a session with a forged handle gives a fresh one', async () => {
    const { client } = setup();
    client.cookies.set('pagi_session', 'attacker-fixed-id');
    expect((await client.get('/id')).json()).not.toBe('attacker-fixed-id');
  });

  it('malformed handles never reach the store (no lookup with attacker-chosen bytes)', async () => {
    const { store, client } = setup();
    for (const bad of ['x', '../../etc', 'a'.repeat(44), `${'a'.repeat(42)}*`, '%00']) {
      client.cookies.set('pagi_session', bad);
      expect((await client.get('/me')).json()).toMatchObject({ isNew: true });
    }
    const inner = memoryStore();
    expect(await inner.get('a'.repeat(44))).toBeUndefined();
    expect(store.calls.every((c) => c === 'get')).toBe(true);
  });

  it('replay: a destroyed session’s ID does not come back', async () => {
    const { client } = setup();
    await client.get('/login');
    const id = client.cookies.get('pagi_session') as string;
    await client.get('/logout');
    const res = await client.get('/me', { headers: { cookie: `pagi_session=${id}` } });
    expect(res.json()).toMatchObject({ user: null, isNew: true });
  });

  it('logout race: a request still in flight when the session is destroyed does not bring it back', async () => {
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const loaded = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const app = session()(
      sessionApp(async (s, path) => {
        if (path === '/login') s.set('user', 'alice');
        else if (path === '/logout') s.destroy();
        else if (path === '/slow') {
          entered(); // the session is loaded
          await gate; // e.g. an upload that then records something in the session
          s.set('uploads', 1);
        }
        return { user: s.get('user') ?? null, isNew: s.isNew };
      }),
    );
    const client = new TestClient(app);
    await client.get('/login');
    const cookie = `pagi_session=${client.cookies.get('pagi_session')}`;
    const slow = client.get('/slow', { headers: { cookie } });
    await loaded;
    expect((await client.get('/logout', { headers: { cookie } })).status).toBe(200);
    release();
    const late = await slow;
    expect(late.status).toBe(200);
    expect(late.header('set-cookie') ?? '').not.toMatch(/pagi_session=[\w-]{43};/);
    expect((await client.get('/me', { headers: { cookie } })).json()).toMatchObject({
      user: null,
      isNew: true,
    });
  });

  it('an expired session is not revived, even by a store that kept it', async () => {
    let t = 1_000_000;
    const lazy = memoryStore({ now: () => 0 }); // never expires anything itself
    const client = new TestClient(session({ store: lazy, maxAge: 10, now: () => t })(routes));
    await client.get('/login');
    t += 11_000;
    expect(
      (
        await client.get('/me', { headers: { cookie: `pagi_session=${client.cookies.get('pagi_session')}` } })
      ).json(),
    ).toMatchObject({ isNew: true });
  });
});

describe('session: sliding expiry (maxAge, touchAfter, touch())', () => {
  it('an unchanged session is touched once touchAfter has passed: store touch + cookie re-sent', async () => {
    let t = 1_000_000;
    const store = spyStore(memoryStore({ now: () => t }));
    const client = new TestClient(session({ store, maxAge: 100, touchAfter: 30, now: () => t })(routes));
    await client.get('/set');
    store.calls.length = 0;
    t += 29_000;
    expect((await client.get('/me')).header('set-cookie')).toBeUndefined();
    t += 2_000;
    const res = await client.get('/me');
    expect(res.header('set-cookie')).toMatch(/Max-Age=100/);
    expect(store.calls).toEqual(['get', 'get', 'touch']);
    // Slid: alive 99 s after the touch, though 130 s after it was created.
    t += 99_000;
    expect((await client.get('/me')).json()).toMatchObject({ isNew: false, keys: ['n'] });
    t += 101_000;
    expect((await client.get('/me')).json()).toMatchObject({ isNew: true });
  });

  it('touchAfter 0 touches on every request; touch() forces one', async () => {
    const store = spyStore(memoryStore());
    const client = new TestClient(session({ store, touchAfter: 0 })(routes));
    await client.get('/set');
    store.calls.length = 0;
    await client.get('/me');
    expect(store.calls).toEqual(['get', 'touch']);
    const lazy = setup();
    await lazy.client.get('/set');
    lazy.store.calls.length = 0;
    expect((await lazy.client.get('/touch')).header('set-cookie')).toBeDefined();
    expect(lazy.store.calls).toEqual(['get', 'touch']);
  });

  it('a store without touch() gets the record saved again', async () => {
    const inner = memoryStore();
    const calls: string[] = [];
    const noTouch = {
      get: (h: string) => inner.get(h),
      set: (r: Parameters<typeof inner.set>[0]) => {
        calls.push('set');
        return inner.set(r);
      },
      delete: (id: string) => inner.delete(id),
    };
    const client = new TestClient(session({ store: noTouch, touchAfter: 0 })(routes));
    await client.get('/set');
    await client.get('/me');
    expect(calls).toEqual(['set', 'set']);
  });
});

describe('session: absolute lifetime (absoluteMaxAge)', () => {
  function clocked(options: SessionOptions) {
    const clock = { t: 1_000_000 };
    const store = spyStore(memoryStore({ now: () => clock.t }));
    const client = new TestClient(
      session({ store, maxAge: 100, touchAfter: 0, now: () => clock.t, ...options })(routes),
    );
    return { clock, store, client };
  }

  it('ends an active session absoluteMaxAge after its creation; the cookie never outlives it', async () => {
    const { clock, client } = clocked({ absoluteMaxAge: 120 });
    expect((await client.get('/set')).header('set-cookie')).toMatch(/Max-Age=100;/);
    clock.t += 50_000;
    expect((await client.get('/set')).header('set-cookie')).toMatch(/Max-Age=70;/);
    clock.t += 50_000;
    const late = await client.get('/me');
    expect(late.json()).toMatchObject({ isNew: false, keys: ['n'] });
    expect(late.header('set-cookie')).toBeUndefined(); // already capped: nothing left to slide
    clock.t += 20_000; // 120 s after creation, 20 s after the last request
    expect((await client.get('/me')).json()).toMatchObject({ isNew: true });
  });

  it('regenerate() (a login) starts the absolute lifetime again', async () => {
    const { clock, client } = clocked({ absoluteMaxAge: 120 });
    await client.get('/set');
    clock.t += 90_000;
    expect((await client.get('/login')).header('set-cookie')).toMatch(/Max-Age=100;/);
    clock.t += 90_000; // 180 s after the first creation, 90 s after the login
    expect((await client.get('/me')).json()).toMatchObject({ isNew: false, user: 'alice' });
  });

  it('an unchanged session at its absolute limit is not touched again', async () => {
    const { clock, store, client } = clocked({ absoluteMaxAge: 120 });
    await client.get('/set');
    clock.t += 30_000;
    await client.get('/me'); // touched: expiry now at the limit (creation + 120 s)
    store.calls.length = 0;
    clock.t += 10_000;
    const res = await client.get('/me');
    expect(res.header('set-cookie')).toBeUndefined();
    expect(store.calls).toEqual(['get']);
  });

  it('a record kept from before a shorter limit ends at the new one', async () => {
    const clock = { t: 1_000_000 };
    const store = memoryStore({ now: () => clock.t });
    const open = new TestClient(session({ store, maxAge: 1000, now: () => clock.t })(routes));
    await open.get('/set');
    const cookie = `pagi_session=${open.cookies.get('pagi_session')}`;
    clock.t += 200_000;
    const capped = new TestClient(
      session({ store, maxAge: 1000, absoluteMaxAge: 150, now: () => clock.t })(routes),
    );
    expect((await capped.get('/me', { headers: { cookie } })).json()).toMatchObject({ isNew: true });
  });
});

describe('session: read-only in WebSocket and SSE scopes', () => {
  it('reads the session; every write throws PAGI_ERR_SESSION_READ_ONLY; nothing is stored', async () => {
    const store = spyStore(memoryStore());
    const app = session({ store })(
      sessionApp((s, path) => {
        if (path === '/login') {
          s.set('user', 'alice');
          return null;
        }
        const errors: string[] = [];
        for (const write of [
          () => s.set('x', 1),
          () => s.delete('user'),
          () => s.regenerate(),
          () => s.destroy(),
          () => s.touch(),
          () => s.clear(),
        ]) {
          try {
            write();
          } catch (e) {
            errors.push((e as { code: string }).code);
          }
        }
        return { user: s.get('user'), readOnly: s.readOnly, errors };
      }),
    );
    const client = new TestClient(app);
    await client.get('/login');
    store.calls.length = 0;
    const expected = { user: 'alice', readOnly: true, errors: Array(6).fill('PAGI_ERR_SESSION_READ_ONLY') };
    const ws = await client.websocket('/ws');
    expect(await ws.receiveJson()).toEqual(expected);
    const sse = await client.sse('/sse');
    expect(JSON.parse((await sse.next())?.data as string)).toEqual(expected);
    expect(store.calls).toEqual(['get', 'get']);
  });
});

describe('session: transports', () => {
  it('cookieTransport options: name, path, domain, sameSite, secure, httpOnly, persistent', async () => {
    const transport = cookieTransport({
      name: 'sid',
      path: '/app',
      domain: 'example.com',
      sameSite: 'strict',
      secure: true,
      httpOnly: false,
      persistent: false,
    });
    const client = new TestClient(session({ transport })(routes));
    const res = await client.get('/set');
    expect(res.header('set-cookie')).toMatch(
      /^sid=[\w-]{43}; Domain=example.com; Path=\/app; Secure; SameSite=Strict$/,
    );
    expect(() => cookieTransport({ sameSite: 'none' })).toThrow(/requires secure/);
    expect(() => cookieTransport({ name: 'a b' })).toThrow(/name is invalid/);
    expect(() => cookieTransport({ path: '/;x' })).toThrow(/path is invalid/);
    expect(() => cookieTransport({ nam: 'x' } as never)).toThrow(/unknown option 'nam'/);
    expect(() => cookieTransport({ sameSite: 'x' as never })).toThrow(/sameSite/);
  });

  it('headerTransport: reads the header, answers with the ID in the same header', async () => {
    const client = new TestClient(session({ transport: headerTransport() })(routes));
    const res = await client.get('/set');
    const id = res.header('x-session-id') as string;
    expect(isSessionId(id)).toBe(true);
    expect(res.header('set-cookie')).toBeUndefined();
    expect((await client.get('/set', { headers: { 'x-session-id': id } })).json()).toBe(2);
    // Two headers are ambiguous: no session.
    expect(
      (
        await client.get('/me', {
          headers: [
            ['x-session-id', id],
            ['x-session-id', id],
          ],
        })
      ).json(),
    ).toMatchObject({ isNew: true });
    const named = new TestClient(session({ transport: headerTransport({ name: 'X-Token' }) })(routes));
    expect((await named.get('/set')).header('x-token')).toMatch(/^[\w-]{43}$/);
    expect(() => headerTransport({ name: 'cookie' })).toThrow(/dedicated header/);
    expect(() => headerTransport({ name: 'a b' })).toThrow();
  });

  it('bearerTransport: Authorization: Bearer <id>; the app hands out session.id', async () => {
    const client = new TestClient(session({ transport: bearerTransport() })(routes));
    const token = (await client.get('/login')).json() as string;
    expect(isSessionId(token)).toBe(true);
    const me = await client.get('/me', { headers: { authorization: `bearer ${token}` } });
    expect(me.json()).toMatchObject({ user: 'alice', isNew: false });
    expect((await client.get('/me', { headers: { authorization: `Basic ${token}` } })).json()).toMatchObject({
      isNew: true,
    });
  });

  it('a custom transport: any object with read (write/clear optional)', async () => {
    const transport: SessionTransport = {
      read: (scope) => new URLSearchParams(scope.query_string).get('sid') ?? undefined,
    };
    const client = new TestClient(session({ transport })(routes));
    const id = (await client.get('/login')).json() as string;
    expect((await client.get(`/me?sid=${id}`)).json()).toMatchObject({ user: 'alice' });
  });
});

describe('session: options', () => {
  it('refuses unknown and bad options at factory time', () => {
    expect(() => session({ secret: 'x' } as never)).toThrow(/unknown option 'secret'/);
    expect(() => session({ maxAge: 0 })).toThrow(/maxAge/);
    expect(() => session({ touchAfter: -1 })).toThrow(/touchAfter/);
    expect(() => session({ maxAge: 10, touchAfter: 11 })).toThrow(/at most maxAge/);
    expect(() => session({ absoluteMaxAge: 0 })).toThrow(/absoluteMaxAge to be an integer ≥ 1/);
    expect(() => session({ absoluteMaxAge: '1h' as never })).toThrow(/absoluteMaxAge/);
    expect(() => session({ store: {} as never })).toThrow(/get, set and delete/);
    expect(() => session({ transport: {} as never })).toThrow(/read\(scope\)/);
    expect(() => session(null as never)).toThrow(/options object/);
  });

  it('maxAge sets the cookie Max-Age and the record lifetime', async () => {
    let t = 0;
    const client = new TestClient(
      session({ maxAge: 5, now: () => t, store: memoryStore({ now: () => t }) })(routes),
    );
    expect((await client.get('/set')).header('set-cookie')).toMatch(/Max-Age=5;/);
    t = 5_001;
    expect(
      (
        await client.get('/me', { headers: { cookie: `pagi_session=${client.cookies.get('pagi_session')}` } })
      ).json(),
    ).toMatchObject({ isNew: true });
  });

  it('two middleware instances with their own memory stores share nothing', async () => {
    const a = new TestClient(session()(routes));
    await a.get('/login');
    const b = new TestClient(session()(routes));
    const res = await b.get('/me', { headers: { cookie: `pagi_session=${a.cookies.get('pagi_session')}` } });
    expect(res.json()).toMatchObject({ isNew: true });
  });

  it('passes lifespan through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await session()(spy)(scope, receive, send);
    expect(seen).toEqual([scope, receive, send]);
  });

  it('names its functions for stack traces', () => {
    expect(session().name).toBe('session');
    expect(session()(routes).name).toBe('session');
  });
});

describeMiddlewareChecks('session: the shared middleware checks of @pagi/test', session(), {
  handles: ['http', 'sse', 'websocket'],
});
