import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../cascade.mjs';

it('serves files first, then the dynamic app, replaying the POST body', async () => {
  const client = new TestClient(app);
  expect((await client.get('/hello.txt')).text).toBe('hello from the example files\n');
  expect((await client.get('/time')).text).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect((await client.post('/echo', { body: 'hi' })).text).toBe('echo: hi\n');
  expect((await client.get('/missing')).status).toBe(404);
});
