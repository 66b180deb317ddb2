/** The README's Usage example, kept runnable: the same code, with the results the README claims. */
import { expect, test } from 'vitest';
import { type ChannelEvent, createChannelLayer, redisBackend } from '../src/index.js';

test('the README usage example behaves as documented', async () => {
  const layer = createChannelLayer({
    backend: process.env.REDIS_URL ? redisBackend({ url: process.env.REDIS_URL }) : undefined,
    historySize: 100,
  });
  const seen: ChannelEvent[] = [];
  const sub = await layer.subscribe('room:lobby', { since: 0 });
  const reader = (async () => {
    for await (const event of sub) {
      seen.push(event);
      if (event.id === 2) break;
    }
  })();
  expect(await layer.publish('room:lobby', { from: 'ann', text: 'hi' })).toBe(1);
  expect(await layer.publish('room:lobby', 'plain text')).toBe(2);
  await reader;
  expect(seen.map((e) => [e.id, e.data])).toEqual([
    [1, { from: 'ann', text: 'hi' }],
    [2, 'plain text'],
  ]);
  expect(sub.closed).toBe(true);

  const resumed = await layer.subscribe('room:lobby', { since: 1 });
  expect((await resumed.next()).value?.id).toBe(2);

  await layer.groupAdd('admins', 'conn:42');
  expect(await layer.groupSend('admins', { notice: 'deploy at 5' })).toBe(1);
  await layer.close();
  expect((await resumed.next()).done).toBe(true);
});
