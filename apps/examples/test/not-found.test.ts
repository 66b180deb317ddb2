import { TestClient } from '@pagi/test';
import { expect, it } from 'vitest';
import app from '../not-found.mjs';

it('answers an HTML 404 with the path escaped', async () => {
  const res = await new TestClient(app).get('/<b>x</b>');
  expect(res.status).toBe(404);
  expect(res.header('cache-control')).toBe('no-store');
  expect(res.text).toContain('<code>/&lt;b&gt;x&lt;/b&gt;</code>');
});
