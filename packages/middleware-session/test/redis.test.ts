/**
 * The Redis store against a real redis-server (one private instance per file, @pagi/test/redis):
 * sessions with Redis TTLs, sliding expiry by PEXPIRE, Redis going away before and in the middle
 * of a request (a typed error at once, no hang), a stalled Redis (bounded by `timeout`), and two
 * @pagi/server processes sharing sessions through one Redis.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SESSION } from '@pagi/spec/middleware';
import { CookieJar, TestClient } from '@pagi/test';
import { describeWithRedis, type RedisProcess, startRedis } from '@pagi/test/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isSessionId, newSessionId, redisStore, session } from '../src/index.js';
import { bundleFixture } from '@pagi/tsconfig/bundle-fixture';
import { sessionApp } from './support.js';

const routes = sessionApp((s, path) => {
  if (path === '/login') {
    s.regenerate();
    s.set('user', 'alice');
  } else if (path === '/logout') {
    s.destroy();
  }
  return { user: s.get('user') ?? null, isNew: s.isNew };
});

describeWithRedis('session: redisStore on a real Redis', () => {
  let redis: RedisProcess;
  let client: Redis;
  let inspect: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    // Fail fast: no offline queue (commands reject at once while disconnected), one retry.
    client = new Redis(redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
    });
    inspect = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    // Outages are provoked on purpose here: the connection errors are expected, not logged.
    client.on('error', () => {});
    inspect.on('error', () => {});
    await once(client, 'ready');
  });
  afterAll(async () => {
    client?.disconnect();
    inspect?.disconnect();
    await redis?.kill();
  });
  const app = (timeout?: number) =>
    session({ store: redisStore({ client, prefix: 't:', ...(timeout ? { timeout } : {}) }), maxAge: 100 })(
      routes,
    );

  it('stores the session under prefix + id with the maxAge as Redis TTL; the jar carries the cookie back', async () => {
    const c = new TestClient(app());
    expect((await c.get('/login')).json()).toEqual({ user: 'alice', isNew: true });
    const id = c.cookies.get('pagi_session') as string;
    expect(isSessionId(id)).toBe(true);
    // `<created ms>|<data JSON>`: the creation time the absolute lifetime counts from.
    const [created, json] = ((await inspect.get(`t:${id}`)) as string).split(/\|(.*)/s);
    expect(Math.abs(Number(created) - Date.now())).toBeLessThan(60_000);
    expect(JSON.parse(json as string)).toEqual({ user: 'alice' });
    const ttl = await inspect.pttl(`t:${id}`);
    expect(ttl).toBeGreaterThan(90_000);
    expect(ttl).toBeLessThanOrEqual(100_000);
    expect((await c.get('/me')).json()).toEqual({ user: 'alice', isNew: false });
    await c.get('/logout');
    expect(await inspect.exists(`t:${id}`)).toBe(0);
  });

  it('reads a value stored as bare JSON (before the creation time was kept) and keeps created on save', async () => {
    const store = redisStore({ client, prefix: 't:' });
    const id = newSessionId();
    await inspect.set(`t:${id}`, JSON.stringify({ old: true }), 'PX', 10_000);
    const legacy = await store.get(id);
    expect(legacy).toMatchObject({ id, data: { old: true }, created: undefined });
    await store.set({ id, data: { old: false }, expires: Date.now() + 10_000, created: 1234 });
    expect(await store.get(id)).toMatchObject({ data: { old: false }, created: 1234 });
  });

  it('regenerate deletes the old key; an unknown or malformed ID never becomes a key', async () => {
    const c = new TestClient(app());
    await c.get('/login');
    const first = c.cookies.get('pagi_session') as string;
    await c.get('/login');
    expect(await inspect.exists(`t:${first}`)).toBe(0);
    const before = await inspect.dbsize();
    c.cookies.set('pagi_session', 'x*');
    await c.get('/me');
    expect(await inspect.dbsize()).toBe(before);
  });

  it('a change saved after the session was deleted (a logout meanwhile) does not bring it back', async () => {
    const store = redisStore({ client, prefix: 'u:' });
    const record = { id: 'a'.repeat(43), data: { user: 'alice' }, expires: Date.now() + 60_000 };
    expect(await store.update?.(record)).toBeUndefined();
    expect(await inspect.exists(`u:${record.id}`)).toBe(0);
    await store.set(record);
    expect(await store.update?.({ ...record, data: { user: 'alice', n: 1 } })).toBe(record.id);
    expect(JSON.parse((await inspect.get(`u:${record.id}`)) as string)).toEqual({ user: 'alice', n: 1 });
    expect(await inspect.pttl(`u:${record.id}`)).toBeGreaterThan(50_000);
    await store.delete(record.id);
    expect(await store.update?.(record)).toBeUndefined();
    expect(await inspect.exists(`u:${record.id}`)).toBe(0);
  });

  it('sliding expiry touches with PEXPIRE, leaving the data alone', async () => {
    let t = Date.now();
    const store = redisStore({ client, prefix: 's:', now: () => t });
    const c = new TestClient(session({ store, maxAge: 100, touchAfter: 10, now: () => t })(routes));
    await c.get('/login');
    const key = `s:${c.cookies.get('pagi_session')}`;
    await inspect.pexpire(key, 50_000); // as if 50 s had passed
    t += 50_000;
    const res = await c.get('/me');
    expect(res.header('set-cookie')).toMatch(/Max-Age=100/);
    expect(await inspect.pttl(key)).toBeGreaterThan(90_000);
  });

  it('Redis gone before the request: PAGI_ERR_SESSION_STORE at once, no hang; back after a restart', async () => {
    const c = new TestClient(app(), { timeout: 5000 });
    await c.get('/login');
    await redis.kill();
    await expect(c.get('/me')).rejects.toMatchObject({ code: 'PAGI_ERR_SESSION_STORE' });
    // A request without a session cookie needs no Redis at all.
    expect((await new TestClient(app()).get('/me')).json()).toEqual({ user: null, isNew: true });
    await redis.restart();
    await new Promise<void>((resolve) => {
      if (client.status === 'ready') resolve();
      else client.once('ready', () => resolve());
    });
    expect((await c.get('/me')).json()).toEqual({ user: null, isNew: true }); // restarted empty
  });

  it('Redis killed in the middle of a request: the save fails with PAGI_ERR_SESSION_STORE, no hang', async () => {
    const killing = session({ store: redisStore({ client, prefix: 'm:' }) })(
      async (scope, _receive, send) => {
        if (scope.type !== 'http') return;
        const s = SESSION.require(scope);
        await redis.kill(); // after the session was loaded, before it is saved
        s.set('user', 'bob');
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: 'unreachable' });
      },
    );
    const c = new TestClient(killing, { timeout: 5000 });
    const started = Date.now();
    await expect(c.get('/')).rejects.toMatchObject({
      code: 'PAGI_ERR_SESSION_STORE',
      message: /expected the session store to save a session/,
    });
    expect(Date.now() - started).toBeLessThan(4000);
    await redis.restart();
    await new Promise<void>((resolve) => {
      if (client.status === 'ready') resolve();
      else client.once('ready', () => resolve());
    });
  });

  it('a stalled Redis (accepts, never answers): the store’s timeout ends the wait', async () => {
    const c = new TestClient(app(200), { timeout: 5000 });
    await c.get('/login');
    // A client without commandTimeout: only the store's own timeout bounds the wait.
    const patient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    patient.on('error', () => {});
    await once(patient, 'ready');
    const p = new TestClient(
      session({ store: redisStore({ client: patient, prefix: 't:', timeout: 200 }) })(routes),
      {
        timeout: 5000,
      },
    );
    p.cookies.set('pagi_session', c.cookies.get('pagi_session') as string);
    redis.signal('SIGSTOP');
    try {
      await expect(p.get('/me')).rejects.toMatchObject({
        code: 'PAGI_ERR_SESSION_STORE',
        message: /no answer within 200 ms/,
      });
    } finally {
      redis.signal('SIGCONT');
    }
    patient.disconnect();
  });

  it('two @pagi/server processes share sessions through one Redis', async () => {
    const bundle = await bundleFixture(
      fileURLToPath(new URL('./fixtures/session-server.ts', import.meta.url)),
      {
        packageRoot: fileURLToPath(new URL('..', import.meta.url)),
        external: ['ioredis'],
      },
    );
    const children: ChildProcess[] = [];
    try {
      const urls: string[] = [];
      for (let i = 0; i < 2; i++) {
        const child = fork(bundle, [redis.url, 'xp:'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        const [message] = (await Promise.race([
          once(child, 'message'),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('server process not ready in 15 s')), 15_000),
          ),
        ])) as [{ url: string }];
        urls.push(message.url);
      }
      const [a, b] = urls as [string, string];
      // The test client's cookie jar, over real HTTP: one browser talking to both servers.
      const jar = new CookieJar('127.0.0.1');
      const target = { host: '127.0.0.1', path: '/', secure: false };
      const login = await fetch(`${a}/login?carol`);
      jar.storeFrom(login.headers.getSetCookie(), target);
      const loggedIn = (await login.json()) as { pid: number };
      const me = await fetch(`${b}/me`, { headers: { cookie: jar.headerFor(target) ?? '' } });
      const seen = (await me.json()) as { user: string; pid: number };
      expect(seen.user).toBe('carol');
      expect(seen.pid).not.toBe(loggedIn.pid);
      expect(me.headers.get('set-cookie')).toBeNull(); // unchanged: nothing written
      // Redis goes away: the real server answers 500 (the typed error), promptly; no hang.
      await redis.kill();
      const down = await fetch(`${b}/me`, {
        headers: { cookie: jar.headerFor(target) ?? '' },
        signal: AbortSignal.timeout(10_000),
      });
      expect(down.status).toBe(500);
      await redis.restart();
    } finally {
      for (const child of children) {
        if (child.exitCode === null) {
          const exited = once(child, 'exit');
          child.kill();
          await exited;
        }
      }
    }
  }, 60_000);
});
