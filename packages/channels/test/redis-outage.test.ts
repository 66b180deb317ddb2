/**
 * A real Redis outage: the private redis-server is SIGKILLed and started again on the same port.
 * Publishers get a typed error at once; subscribers keep their iterators, are told about the
 * outage, and receive again after the backend re-subscribes.
 */
import { once } from 'node:events';
import { isPagiError } from '@pagi/spec';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { type ChannelLayer, createChannelLayer, redisBackend } from '../src/index.js';
import { waitFor } from './support/wait.js';
import { describeWithRedis, freePort, type RedisProcess, startRedis } from '@pagi/test/redis';

describeWithRedis('redis outage', () => {
  let redis: RedisProcess;
  let layer: ChannelLayer;
  beforeAll(async () => {
    redis = await startRedis();
    layer = createChannelLayer({
      backend: redisBackend({ url: redis.url, commandTimeout: 500, backoff: { min: 20, max: 200 } }),
      historySize: 10,
    });
  });
  afterAll(async () => {
    await layer?.close();
    await redis?.kill();
  });

  test('publish fails fast with PAGI_ERR_CHANNEL_UNAVAILABLE, subscribers survive and resume', async () => {
    const sub = await layer.subscribe('news');
    await layer.publish('news', 'before');
    expect((await sub.next()).value?.data).toBe('before');
    expect(layer.status).toBe('ready');

    const reconnecting = once(layer, 'reconnecting');
    const pending = sub.next(); // waits across the outage: neither rejected nor ended
    let settled = false;
    pending.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await redis.kill();
    const [cause] = await reconnecting;
    expect(cause).toBeDefined();
    expect(layer.status).toBe('reconnecting');

    const started = performance.now();
    const error = await layer.publish('news', 'during').catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(isPagiError(error) && error.code).toBe('PAGI_ERR_CHANNEL_UNAVAILABLE');
    expect(String(error)).toMatch(/expected Redis to accept a publish/);
    expect(elapsed).toBeLessThan(5_000); // no offline queue: fails at once, never waits for Redis to return
    const subscribeError = await layer.subscribe('other').catch((e: unknown) => e);
    expect(isPagiError(subscribeError) && subscribeError.code).toBe('PAGI_ERR_CHANNEL_UNAVAILABLE');
    expect(layer.subscriberCount('other')).toBe(0);
    const sameChannel = await layer.subscribe('news').catch((e: unknown) => e);
    expect(isPagiError(sameChannel) && sameChannel.code).toBe('PAGI_ERR_CHANNEL_UNAVAILABLE');
    expect(layer.subscriberCount('news')).toBe(1);

    // Let the backoff retry a few times against the dead port: nothing crashes, nothing settles.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    expect(sub.closed).toBe(false);

    const reconnected = once(layer, 'reconnected');
    await redis.restart(); // empty: no persistence, so the channel's ids start again at 1
    await reconnected;
    expect(layer.status).toBe('ready');
    await layer.publish('news', 'after');
    const resumed = await pending;
    expect(resumed.value?.data).toBe('after');
    expect(resumed.value?.id).toBe(1);
    await layer.publish('news', 'again');
    expect((await sub.next()).value?.id).toBe(2);
  });

  test('messages published while only the subscriber connection was down are caught up from history', async () => {
    const publisher = createChannelLayer({
      backend: redisBackend({ url: redis.url, prefix: 'gap:' }),
      historySize: 10,
    });
    // A fixed 300 ms backoff leaves a window in which the publishes below certainly happen.
    const subscriber = createChannelLayer({
      backend: redisBackend({ url: redis.url, prefix: 'gap:', backoff: { min: 300, max: 300 } }),
      historySize: 10,
    });
    const admin = new Redis(redis.url);
    try {
      await publisher.publish('feed', 'before'); // id 1: published before anyone subscribed
      const sub = await subscriber.subscribe('feed');
      await publisher.publish('feed', 1);
      expect((await sub.next()).value?.id).toBe(2);
      const quiet = await subscriber.subscribe('feed'); // receives nothing before the outage
      const reconnecting = once(subscriber, 'reconnecting');
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await reconnecting;
      for (const n of [2, 3, 4]) await publisher.publish('feed', n); // Redis is up: these succeed
      await once(subscriber, 'reconnected');
      await publisher.publish('feed', 5);
      const got: unknown[] = [];
      for (let i = 0; i < 4; i++) got.push((await sub.next()).value?.data);
      expect(got).toEqual([2, 3, 4, 5]);
      expect(sub.queued).toBe(0);
      // The catch-up starts where each subscription started: 'before' is not replayed to it.
      const quietGot: unknown[] = [];
      for (let i = 0; i < 4; i++) quietGot.push((await quiet.next()).value?.data);
      expect(quietGot).toEqual([2, 3, 4, 5]);
    } finally {
      admin.disconnect();
      await publisher.close();
      await subscriber.close();
    }
  });

  test('a Redis that stops answering: publish rejects after commandTimeout, never hangs', async () => {
    const sub = await layer.subscribe('stalled');
    redis.signal('SIGSTOP');
    try {
      const started = performance.now();
      const error = await layer.publish('stalled', 'x').catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(isPagiError(error) && error.code).toBe('PAGI_ERR_CHANNEL_UNAVAILABLE');
      expect(String(error)).toMatch(/timed out/i);
      expect(elapsed).toBeGreaterThanOrEqual(400); // commandTimeout is 500 ms
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      redis.signal('SIGCONT');
    }
    // A timed-out publish may still run once Redis wakes up: delivery is at most once per publish
    // call, but a rejection does not prove the message was not sent.
    await layer.publish('stalled', 'y');
    const seen: unknown[] = [];
    while (seen.at(-1) !== 'y') seen.push((await sub.next()).value?.data);
    expect(seen.filter((d) => d === 'y')).toHaveLength(1);
    sub.unsubscribe();
  });

  test('a subscription aborted during setup leaves no Redis subscription behind', async () => {
    const admin = new Redis(redis.url);
    const numsub = async (): Promise<number> =>
      Number(((await admin.call('PUBSUB', 'NUMSUB', 'pagi:ch:ghost')) as [string, number])[1]);
    try {
      const controller = new AbortController();
      const pending = layer.subscribe('ghost', { signal: controller.signal });
      controller.abort();
      expect((await pending).closed).toBe(true);
      let count = -1;
      await waitFor(
        () => count === 0,
        'the ghost subscription to be dropped',
        5_000,
        async () => {
          count = await numsub();
        },
      );
    } finally {
      admin.disconnect();
    }
  });

  test('no Redis at startup: publish and subscribe reject after connectTimeout instead of hanging', async () => {
    const port = await freePort(); // nothing listens there
    const down = createChannelLayer({
      backend: redisBackend({
        url: `redis://127.0.0.1:${port}`,
        connectTimeout: 300,
        backoff: { min: 20, max: 100 },
      }),
    });
    try {
      expect(down.status).toBe('connecting');
      const started = performance.now();
      const results = await Promise.all([
        down.publish('c', 'x').catch((e: unknown) => e),
        down.subscribe('c').catch((e: unknown) => e),
        down.history('c').catch((e: unknown) => e),
        down.groupAdd('g', 'c').catch((e: unknown) => e),
      ]);
      expect(performance.now() - started).toBeLessThan(5_000);
      for (const error of results)
        expect(isPagiError(error) && error.code).toBe('PAGI_ERR_CHANNEL_UNAVAILABLE');
      expect(down.subscriberCount()).toBe(0);
      // After the first wait timed out, calls fail at once (no new waits pile up).
      expect(isPagiError(await down.publish('c', 'y').catch((e: unknown) => e))).toBe(true);
    } finally {
      await down.close();
    }
  });
});

test('a client with keyPrefix is refused (ioredis would prefix PUBLISH but not SUBSCRIBE)', () => {
  const client = new Redis({ lazyConnect: true, keyPrefix: 'app:' });
  expect(() => redisBackend({ client })).toThrow(/without keyPrefix/);
  client.disconnect();
});
