import type { App } from '@pagi/spec';
import { AUTH, withKey } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { expect, test } from 'vitest';
import { ROUTER_SCOPE_KEY, Router } from '../src/index.js';

test('a route handler reads AUTH set by an auth layer outside the router, beside its params', async () => {
  const r = new Router();
  r.get('/users/:id', async (scope, _receive, send) => {
    const who = `${AUTH.get(scope)?.user}:${ROUTER_SCOPE_KEY.get(scope)?.params.id}`;
    await send({ type: 'http.response.start', status: 200, headers: [] });
    await send({ type: 'http.response.body', body: who });
  });
  const signedIn: App = (scope, receive, send) =>
    r.app(withKey(scope, AUTH, { scheme: 'basic', user: 'alice', claims: {}, scopes: [] }), receive, send);
  expect((await new TestClient(signedIn).get('/users/7')).text).toBe('alice:7');
});
