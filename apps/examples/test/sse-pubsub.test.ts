import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../sse-pubsub.mjs';

it('streams what is POSTed to a channel, and replays it after Last-Event-ID', async () => {
  const client = new TestClient(app);
  const sse = await client.sse('/news');
  expect((await client.post('/news', { body: 'first' })).status).toBe(200);
  const first = await sse.next();
  expect(first).toMatchObject({ data: 'first', retry: 3000 });
  await sse.disconnect();
  await client.post('/news', { body: 'missed' });
  const again = await client.sse('/news', { headers: { 'last-event-id': first?.id ?? '' } });
  expect(await again.next()).toMatchObject({ data: 'missed' });
  await again.disconnect();
  expect((await client.sse('/private')).status).toBe(404);
});
