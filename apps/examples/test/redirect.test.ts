import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../redirect.mjs';

it('moves /v1 to /v2 with the query, and everything else home', async () => {
  const client = new TestClient(app);
  const moved = await client.get('/v1/users/7?x=1');
  expect(moved.status).toBe(308);
  expect(moved.header('location')).toBe('/v2/users/7?x=1');
  const other = await client.get('/anything?x=1');
  expect(other.status).toBe(302);
  expect(other.header('location')).toBe('https://example.com/');
});
