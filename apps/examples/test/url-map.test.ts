import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../url-map.mjs';

it('routes by the longest prefix, on whole segments', async () => {
  const client = new TestClient(app);
  expect((await client.get('/api/users')).text).toBe('api: /users (mounted at /api)\n');
  expect((await client.get('/api/v2/users')).text).toBe('api v2: /users (mounted at /api/v2)\n');
  expect((await client.get('/apix')).text).toBe('home: /apix (mounted at /)\n');
});
