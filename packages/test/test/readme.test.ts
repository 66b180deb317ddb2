// The README's Usage example, run as written, so the documentation cannot drift from the code.
import type { App } from '@pagi/spec';
import { UnsupportedScopeError } from '@pagi/spec';
import { expect, test } from 'vitest';
import { TestClient } from '../src/index.js';

const app: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: `Hello from ${scope.path}` });
};

test('hello', async () => {
  const client = new TestClient(app);
  const res = await client.get('/world', { query: { lang: 'en' } });
  expect(res.status).toBe(200);
  expect(res.header('Content-Type')).toBe('text/plain');
  expect(res.text).toBe('Hello from /world');
  expect(res.connection.disconnect_reason()).toBeUndefined();
});
