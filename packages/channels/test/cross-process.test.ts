/**
 * Two node processes sharing one Redis: a message published in one reaches a subscriber in the
 * other, both ways. This is what makes a broadcast reach clients on every worker and machine.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type ChannelLayer, createChannelLayer, redisBackend } from '../src/index.js';
import { bundleFixture } from '@pagi/tsconfig/bundle-fixture';
import { describeWithRedis, type RedisProcess, startRedis } from '@pagi/test/redis';

interface PeerMessage {
  op: string;
  id?: number;
  data?: unknown;
  pid?: number;
}

function nextMessage(child: ChildProcess, op: string): Promise<PeerMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer sent no '${op}' within 10 s`)), 10_000);
    const onMessage = (message: PeerMessage): void => {
      if (message.op !== op) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
  });
}

describeWithRedis('two processes on one Redis', () => {
  let redis: RedisProcess;
  let peer: ChildProcess;
  let layer: ChannelLayer;
  beforeAll(async () => {
    redis = await startRedis();
    const bundle = await bundleFixture(fileURLToPath(new URL('./fixtures/peer.ts', import.meta.url)), {
      packageRoot: fileURLToPath(new URL('..', import.meta.url)),
      external: ['ioredis'],
    });
    peer = fork(bundle, [redis.url, 'xp:'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await nextMessage(peer, 'ready');
    layer = createChannelLayer({ backend: redisBackend({ url: redis.url, prefix: 'xp:' }) });
  });
  afterAll(async () => {
    await layer?.close();
    if (peer && peer.exitCode === null) {
      const exited = once(peer, 'exit');
      peer.kill();
      await exited;
    }
    await redis?.kill();
  });

  test('a publish in the other process reaches a subscriber here', async () => {
    const sub = await layer.subscribe('news');
    const published = nextMessage(peer, 'published');
    peer.send({ op: 'publish', channel: 'news', data: 'from the peer' });
    expect((await published).id).toBe(1);
    const event = await sub.next();
    expect(event.value).toMatchObject({ id: 1, data: 'from the peer' });
  });

  test('a publish here reaches a subscriber in the other process', async () => {
    const subscribed = nextMessage(peer, 'subscribed');
    peer.send({ op: 'subscribe', channel: 'alerts' });
    await subscribed;
    const received = nextMessage(peer, 'event');
    expect(await layer.publish('alerts', { level: 'high' })).toBe(1);
    expect(await received).toMatchObject({ id: 1, data: { level: 'high' } });
    // Ids are shared: the next publish, from either process, is 2.
    const second = nextMessage(peer, 'published');
    peer.send({ op: 'publish', channel: 'alerts', data: 'two' });
    expect((await second).id).toBe(2);
  });
});
