import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../ws-broadcast.mjs';

it('sends a message to the other clients on the same path only', async () => {
  const client = new TestClient(app);
  const a = await client.websocket('/red');
  const b = await client.websocket('/red');
  const lobby = await client.websocket('/');
  await a.sendText('hi red');
  expect(await b.receiveText()).toBe('hi red');
  await lobby.sendText('hi lobby');
  await b.sendText('back');
  expect(await a.receiveText()).toBe('back');
  for (const ws of [a, b, lobby]) await ws.close();
});
