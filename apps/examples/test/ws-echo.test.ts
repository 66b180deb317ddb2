import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../ws-echo.mjs';

it('echoes text and closes a message over 64 KiB with 1009', async () => {
  const client = new TestClient(app);
  const ws = await client.websocket('/');
  await ws.sendText('hello');
  expect(await ws.receiveText()).toBe('hello');
  await ws.sendBytes(new Uint8Array(64 * 1024 + 1));
  expect(await ws.closed).toMatchObject({ code: 1009 });
});
