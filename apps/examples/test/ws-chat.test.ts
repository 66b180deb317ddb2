import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../ws-chat.mjs';

it('serves the page at / and the chat socket at /ws', async () => {
  const client = new TestClient(app);
  const page = await client.get('/');
  expect(page.status).toBe(200);
  expect(page.text).toContain('data-socket="ws"');
  const a = await client.websocket('/ws');
  expect(await a.receiveJson()).toMatchObject({ type: 'welcome', room: 'lobby' });
  const b = await client.websocket('/ws');
  expect(await b.receiveJson()).toMatchObject({ type: 'welcome' });
  expect(await a.receiveJson()).toMatchObject({ type: 'user_joined' });
  await b.sendJson({ type: 'message', message: 'hello' });
  expect(await a.receiveJson()).toMatchObject({ type: 'message', message: 'hello' });
  await a.close();
  await b.close();
});
