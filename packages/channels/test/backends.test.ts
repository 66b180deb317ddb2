/**
 * One behavioural suite over every backend: the same tests run against the in-memory backend
 * and against Redis (a private redis-server started for this file).
 */
import { getEventListeners } from 'node:events';
import { isPagiError } from '@pagi/spec';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  type ChannelBackend,
  type ChannelEvent,
  type ChannelLayer,
  type ChannelLayerOptions,
  createChannelLayer,
  memoryBackend,
  redisBackend,
} from '../src/index.js';
import { describeWithRedis, type RedisProcess, startRedis } from '@pagi/test/redis';
import { waitFor } from './support/wait.js';

async function take(sub: AsyncIterator<ChannelEvent>, n: number): Promise<ChannelEvent[]> {
  const out: ChannelEvent[] = [];
  for (let i = 0; i < n; i++) {
    const result = await sub.next();
    if (result.done) break;
    out.push(result.value);
  }
  return out;
}

function code(error: unknown): string | undefined {
  return isPagiError(error) ? error.code : undefined;
}

function backendSuite(makeBackend: () => ChannelBackend): void {
  const layers: ChannelLayer[] = [];
  const layer = (options: Omit<ChannelLayerOptions, 'backend'> = {}): ChannelLayer => {
    const created = createChannelLayer({ ...options, backend: makeBackend() });
    layers.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(layers.splice(0).map((l) => l.close()));
  });

  test('a subscriber receives every message in order, with ids 1, 2, 3 and the kind preserved', async () => {
    const l = layer();
    const sub = await l.subscribe('news');
    const messages = ['hello', '42', 42, { a: [1, null, true] }, new Uint8Array([0, 255, 10]), null];
    const ids: number[] = [];
    for (const m of messages) ids.push(await l.publish('news', m));
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    const got = await take(sub, messages.length);
    expect(got.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(got.map((e) => e.channel)).toEqual(Array(6).fill('news'));
    expect(got[0]?.data).toBe('hello');
    expect(got[1]?.data).toBe('42');
    expect(got[2]?.data).toBe(42);
    expect(got[3]?.data).toEqual({ a: [1, null, true] });
    expect(Buffer.isBuffer(got[4]?.data)).toBe(true);
    expect([...((got[4]?.data ?? []) as Buffer)]).toEqual([0, 255, 10]);
    expect(got[5]?.data).toBeNull();
  });

  test('every subscriber gets every message; other channels are not mixed in', async () => {
    const l = layer();
    const a = await l.subscribe('room');
    const b = await l.subscribe('room');
    const other = await l.subscribe('elsewhere');
    expect(l.subscriberCount('room')).toBe(2);
    expect(l.subscriberCount()).toBe(3);
    await l.publish('room', 'x');
    await l.publish('room', 'y');
    expect((await take(a, 2)).map((e) => e.data)).toEqual(['x', 'y']);
    expect((await take(b, 2)).map((e) => e.data)).toEqual(['x', 'y']);
    expect(other.queued).toBe(0);
  });

  test('unsubscribe, break, an aborted signal and close() each end the iterator', async () => {
    const l = layer();
    const a = await l.subscribe('c');
    const pending = a.next();
    a.unsubscribe();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(a.closed).toBe(true);

    const b = await l.subscribe('c');
    await l.publish('c', 1);
    for await (const event of b) {
      expect(event.data).toBe(1);
      break;
    }
    expect(b.closed).toBe(true);

    const controller = new AbortController();
    const c = await l.subscribe('c', { signal: controller.signal });
    const waiting = c.next();
    controller.abort();
    expect((await waiting).done).toBe(true);
    const shared = new AbortController(); // one long-lived signal for many subscriptions
    for (let i = 0; i < 3; i++) (await l.subscribe('c', { signal: shared.signal })).unsubscribe();
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    expect(code(await l.subscribe('c', { signal: controller.signal }).catch((e: unknown) => e))).toBe(
      'PAGI_ERR_CHANNEL_CLOSED',
    );

    const d = await l.subscribe('c');
    const last = d.next();
    expect(l.subscriberCount('c')).toBe(1);
    await l.close();
    expect((await last).done).toBe(true);
    expect(l.subscriberCount()).toBe(0);
  });

  test('a subscription aborted while it is being set up ends at once and leaves the channel working', async () => {
    const l = layer();
    const controller = new AbortController();
    const pending = l.subscribe('c', { signal: controller.signal });
    controller.abort();
    const sub = await pending;
    expect(sub.closed).toBe(true);
    expect((await sub.next()).done).toBe(true);
    expect(l.subscriberCount()).toBe(0);
    const next = await l.subscribe('c');
    await l.publish('c', 'still works');
    expect((await next.next()).value?.data).toBe('still works');
  });

  test("'drop-oldest': a subscriber that does not read keeps the newest bufferSize messages and counts the rest", async () => {
    const l = layer({ bufferSize: 3 });
    const sub = await l.subscribe('c');
    for (let i = 1; i <= 10; i++) await l.publish('c', i);
    await waitFor(() => sub.dropped + sub.queued === 10, 'all 10 messages to arrive');
    expect(sub.queued).toBe(3);
    expect(sub.dropped).toBe(7);
    // The id jump (0 → 8) is exactly what was missed.
    expect((await take(sub, 3)).map((e) => [e.id, e.data])).toEqual([
      [8, 8],
      [9, 9],
      [10, 10],
    ]);
  });

  test("'disconnect': a subscriber bufferSize behind ends with PAGI_ERR_CHANNEL_SLOW_CONSUMER", async () => {
    const l = layer({ bufferSize: 2, slowConsumer: 'disconnect' });
    const slow = await l.subscribe('c');
    const fast = await l.subscribe('c', { slowConsumer: 'drop-oldest' });
    for (let i = 1; i <= 3; i++) await l.publish('c', i);
    await waitFor(() => slow.closed, 'the slow subscriber to be disconnected');
    expect(l.subscriberCount('c')).toBe(1);
    const error = await slow.next().catch((e: unknown) => e);
    expect(code(error)).toBe('PAGI_ERR_CHANNEL_SLOW_CONSUMER');
    expect(String(error)).toMatch(/fell 2 messages behind/);
    expect(await slow.next()).toEqual({ done: true, value: undefined });
    expect(fast.dropped).toBe(1); // the other subscriber is unaffected
  });

  test('memory stays bounded: 100,000 publishes to a subscriber that never reads', async () => {
    const l = layer({ bufferSize: 100 });
    const sub = await l.subscribe('flood');
    let maxQueued = 0;
    const total = 100_000;
    for (let sent = 0; sent < total; sent += 1000) {
      const batch: Promise<number>[] = [];
      for (let i = 0; i < 1000; i++) batch.push(l.publish('flood', sent + i));
      await Promise.all(batch);
      maxQueued = Math.max(maxQueued, sub.queued);
    }
    await waitFor(() => sub.dropped + sub.queued === total, 'every publish to reach the subscriber', 60_000);
    expect(maxQueued).toBeLessThanOrEqual(100);
    expect(sub.queued).toBe(100);
    expect(sub.dropped).toBe(total - 100);
    expect((await sub.next()).value?.id).toBe(total - 99);
  }, 120_000);

  test('history keeps the newest historySize messages; since filters', async () => {
    const l = layer({ historySize: 3 });
    for (let i = 1; i <= 5; i++) await l.publish('h', `m${i}`);
    expect((await l.history('h')).map((e) => [e.id, e.data])).toEqual([
      [3, 'm3'],
      [4, 'm4'],
      [5, 'm5'],
    ]);
    expect((await l.history('h', { since: 4 })).map((e) => e.id)).toEqual([5]);
    expect(await l.history('never-published')).toEqual([]);
  });

  test('without historySize nothing is kept', async () => {
    const l = layer();
    await l.publish('h', 'x');
    expect(await l.history('h')).toEqual([]);
  });

  test('subscribe({ since }) replays what the client missed, then continues live without gaps or duplicates', async () => {
    const l = layer({ historySize: 10 });
    for (let i = 1; i <= 5; i++) await l.publish('feed', i);
    const sub = await l.subscribe('feed', { since: 2 });
    await l.publish('feed', 6);
    expect((await take(sub, 4)).map((e) => e.id)).toEqual([3, 4, 5, 6]);
    // A Last-Event-ID from before the channel was reset (beyond its last id) replays all kept.
    const fresh = await l.subscribe('feed', { since: 999 });
    expect((await take(fresh, 6)).map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('groups: groupSend publishes to every member channel; discard removes one', async () => {
    const l = layer();
    await l.groupAdd('room:1', 'conn:a');
    await l.groupAdd('room:1', 'conn:b');
    await l.groupAdd('room:1', 'conn:b');
    expect((await l.groupMembers('room:1')).sort()).toEqual(['conn:a', 'conn:b']);
    const a = await l.subscribe('conn:a');
    const b = await l.subscribe('conn:b');
    expect(await l.groupSend('room:1', { text: 'hi' })).toBe(2);
    expect((await take(a, 1))[0]?.data).toEqual({ text: 'hi' });
    expect((await take(b, 1))[0]?.data).toEqual({ text: 'hi' });
    await l.groupDiscard('room:1', 'conn:a');
    expect(await l.groupSend('room:1', 'bye')).toBe(1);
    expect((await take(b, 1))[0]?.data).toBe('bye');
    expect(a.queued).toBe(0);
    await l.groupDiscard('room:1', 'conn:b');
    expect(await l.groupMembers('room:1')).toEqual([]);
    expect(await l.groupSend('room:1', 'nobody')).toBe(0);
  });

  test('messages that would not survive the trip are refused with PAGI_ERR_CHANNEL_MESSAGE', async () => {
    const l = layer({ maxMessageBytes: 16 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: unknown[] = [
      undefined,
      () => 1,
      Symbol('s'),
      10n,
      Number.NaN,
      Infinity,
      new Date(),
      new Map(),
      cyclic,
      { a: [1, undefined] },
    ];
    for (const message of bad) {
      const error = await l.publish('c', message as never).catch((e: unknown) => e);
      expect(code(error), String(message?.toString?.())).toBe('PAGI_ERR_CHANNEL_MESSAGE');
    }
    expect(String(await l.publish('c', { a: [1, undefined] } as never).catch((e: unknown) => e))).toMatch(
      /undefined at \$\.a\[1\]/,
    );
    const tooBig = await l.publish('c', 'x'.repeat(17)).catch((e: unknown) => e);
    expect(String(tooBig)).toMatch(/at most 16 bytes encoded, got 17/);
    expect(await l.publish('c', 'x'.repeat(16))).toBe(1);
  });

  test('bad names and options are refused; a closed layer refuses everything', async () => {
    expect(() => layer({ bufferSize: 0 })).toThrow(/bufferSize to be an integer >= 1, got 0/);
    expect(() => layer({ slowConsumer: 'block' as never })).toThrow(/'drop-oldest' or 'disconnect'/);
    expect(() => createChannelLayer({ buffer: 3 } as never)).toThrow(/unknown option 'buffer'/);
    const l = layer();
    expect(code(await l.publish('', 'x').catch((e: unknown) => e))).toBe('PAGI_ERR_CHANNEL_OPTION');
    expect(code(await l.subscribe('x'.repeat(1025)).catch((e: unknown) => e))).toBe(
      'PAGI_ERR_CHANNEL_OPTION',
    );
    expect(code(await l.subscribe('c', { since: -1 }).catch((e: unknown) => e))).toBe(
      'PAGI_ERR_CHANNEL_OPTION',
    );
    await l.close();
    expect(code(await l.publish('c', 'x').catch((e: unknown) => e))).toBe('PAGI_ERR_CHANNEL_CLOSED');
    expect(code(await l.subscribe('c').catch((e: unknown) => e))).toBe('PAGI_ERR_CHANNEL_CLOSED');
  });

  test('a backend serves one layer', () => {
    const backend = makeBackend();
    layers.push(createChannelLayer({ backend }));
    expect(() => createChannelLayer({ backend })).toThrow(/already used by another layer/);
  });
}

describe('memory backend', () => {
  backendSuite(() => memoryBackend());
});

describeWithRedis('redis backend', () => {
  let redis: RedisProcess;
  let n = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.kill();
  });
  // A fresh prefix per layer: tests never see each other's keys.
  backendSuite(() => redisBackend({ url: redis.url, prefix: `t${++n}:` }));

  describe('with a client of your own', () => {
    const clients: Redis[] = [];
    afterAll(() => {
      // close() leaves a client passed in open: it is still usable here.
      for (const client of clients) expect(client.status).not.toBe('end');
      for (const client of clients.splice(0)) client.disconnect();
    });
    backendSuite(() => {
      const client = new Redis(redis.url);
      clients.push(client);
      return redisBackend({ client, prefix: `c${++n}:` });
    });
  });
});
