/**
 * The Redis store against a real redis-server (a private one per file): the same limits as the
 * memory store, the script cache emptied (NOSCRIPT → EVAL), and Redis going away or stalling
 * mid-request (a clear 503 or, with onStoreError 'allow', the app; never a hang).
 */
import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeWithRedis, type RedisProcess, startRedis } from '@pagi/test/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rateLimit } from '../src/index.js';
import { type RedisStore, redisStore } from '../src/redis-store.js';

const ok: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [] });
  await send({ type: 'http.response.body', body: 'ok' });
};

async function statuses(client: TestClient, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await client.get('/')).status);
  return out;
}

describeWithRedis('redisStore', () => {
  let redis: RedisProcess;
  let admin: Redis;
  const stores: RedisStore[] = [];
  const store = (options: Parameters<typeof redisStore>[0] = {}): RedisStore => {
    const created = redisStore({ url: redis.url, ...options });
    stores.push(created);
    return created;
  };
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    admin?.disconnect();
    await redis?.kill();
  });

  it('token bucket: limit hits, then 429 with the same headers as the memory store', async () => {
    const client = new TestClient(rateLimit({ limit: 3, windowMs: 60_000, store: store(), name: 'tb' })(ok));
    const first = await client.get('/');
    expect(first.header('ratelimit-limit')).toBe('3');
    expect(first.header('ratelimit-remaining')).toBe('2');
    expect(first.header('ratelimit-reset')).toBe('20');
    expect(await statuses(client, 3)).toEqual([200, 200, 429]);
    const denied = await client.get('/');
    expect(denied.header('retry-after')).toBe('20');
    // The key lives under the prefix and the limiter's name, and expires.
    const keys = await admin.keys('pagi:rl:tb:*');
    expect(keys).toEqual(['pagi:rl:tb:tb:127.0.0.1']);
    expect(await admin.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it('token bucket refills by Redis time (one token per windowMs/limit)', async () => {
    const client = new TestClient(rateLimit({ limit: 2, windowMs: 400, store: store(), name: 'refill' })(ok));
    expect(await statuses(client, 3)).toEqual([200, 200, 429]);
    await new Promise((resolve) => setTimeout(resolve, 450)); // the whole bucket, with margin
    expect(await statuses(client, 3)).toEqual([200, 200, 429]);
  });

  it('sliding window counts per window', async () => {
    const limiter = rateLimit({
      algorithm: 'sliding-window',
      limit: 3,
      windowMs: 60_000,
      store: store(),
      name: 'sw',
    });
    const client = new TestClient(limiter(ok));
    const first = await client.get('/');
    expect(first.header('ratelimit-remaining')).toBe('2');
    expect(await statuses(client, 3)).toEqual([200, 200, 429]);
    expect(Number((await client.get('/')).header('retry-after'))).toBeGreaterThan(0);
  });

  it('two limiters with different names on one Redis never share counters; the same name shares', async () => {
    const shared = store();
    const a = new TestClient(rateLimit({ limit: 1, store: shared, name: 'a' })(ok));
    const b = new TestClient(rateLimit({ limit: 1, store: shared, name: 'b' })(ok));
    const a2 = new TestClient(rateLimit({ limit: 1, store: store(), name: 'a' })(ok));
    expect((await a.get('/')).status).toBe(200);
    expect((await b.get('/')).status).toBe(200);
    expect((await a2.get('/')).status).toBe(429);
  });

  it('concurrent hits are atomic: exactly `limit` of 30 get through', async () => {
    const client = new TestClient(rateLimit({ limit: 7, store: store(), name: 'atomic' })(ok));
    const all = await Promise.all(Array.from({ length: 30 }, () => client.get('/')));
    expect(all.filter((r) => r.status === 200)).toHaveLength(7);
  });

  it('after SCRIPT FLUSH (NOSCRIPT) it falls back to EVAL and keeps counting', async () => {
    const client = new TestClient(rateLimit({ limit: 2, store: store(), name: 'flush' })(ok));
    expect((await client.get('/')).status).toBe(200);
    await admin.script('FLUSH');
    expect(await statuses(client, 2)).toEqual([200, 429]);
  });

  it('hits sent before the first connection wait for it (no spurious 503 at startup)', async () => {
    const fresh = store();
    const client = new TestClient(rateLimit({ limit: 5, store: fresh, name: 'startup' })(ok));
    expect((await client.get('/')).status).toBe(200);
  });

  it('a stalled Redis (SIGSTOP) fails the hit after commandTimeout: 503, no hang', async () => {
    const slow = store({ commandTimeout: 200 });
    const client = new TestClient(rateLimit({ limit: 5, store: slow, name: 'stall' })(ok));
    expect((await client.get('/')).status).toBe(200);
    redis.signal('SIGSTOP');
    try {
      const res = await client.get('/', { timeout: 5000 });
      expect(res.status).toBe(503);
      expect(res.header('retry-after')).toBe('1');
    } finally {
      redis.signal('SIGCONT');
    }
  });

  // Last: kills and restarts the server the other tests use.
  it('Redis killed mid-run: 503 by default, the app with onStoreError allow, then recovery', async () => {
    const errors: string[] = [];
    const shared = store({ commandTimeout: 300 });
    const rejecting = new TestClient(rateLimit({ limit: 100, store: shared, name: 'down' })(ok));
    const allowing = new TestClient(
      rateLimit({
        limit: 100,
        store: shared,
        name: 'down',
        onStoreError: (error) => {
          errors.push(error.code);
          return 'allow';
        },
      })(ok),
    );
    expect((await rejecting.get('/')).status).toBe(200);
    // Killed while a hit is in flight: the request still gets its answer (503), it does not hang.
    redis.signal('SIGSTOP');
    const inFlight = rejecting.get('/', { timeout: 5000 });
    await redis.kill();
    expect((await inFlight).status).toBe(503);
    // And while it stays down, each request fails at once (no offline queue).
    expect((await rejecting.get('/', { timeout: 5000 })).status).toBe(503);
    const open = await allowing.get('/', { timeout: 5000 });
    expect(open.status).toBe(200);
    expect(open.header('ratelimit-limit')).toBeUndefined();
    expect(errors).toEqual(['PAGI_ERR_RATE_LIMIT_STORE']);
    await redis.restart();
    // ioredis reconnects with backoff (≤ 2 s); poll until counting resumes, with a generous bound.
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await rejecting.get('/')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  }, 30_000);

  it('refuses unknown options and bad timeouts', () => {
    expect(() => redisStore({ urll: 'x' } as never)).toThrow(/unknown option 'urll'/);
    expect(() => redisStore({ commandTimeout: 0 })).toThrow(/commandTimeout/);
    expect(() => redisStore({ connectTimeout: -1 })).toThrow(/connectTimeout/);
    expect(() => redisStore({ prefix: 1 as never })).toThrow(/prefix/);
  });
});
