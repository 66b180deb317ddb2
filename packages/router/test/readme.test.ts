/**
 * The README's Usage example, kept runnable: the same code, with the results the README claims.
 */
import type { App, Middleware } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { expect, test } from 'vitest';
import { getParams, Router } from '../src/index.js';

const json =
  (status: number, value: unknown): App =>
  async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status, headers: [['content-type', 'application/json']] });
    await send({ type: 'http.response.body', body: JSON.stringify(value) });
  };

const showUser: App = async (scope, receive, send) => {
  const { id } = getParams(scope);
  await json(200, { id, self: router.url('user', { id }) })(scope, receive, send);
};

const chat: App = async (scope, receive, send) => {
  await receive();
  await send({ type: 'websocket.accept' });
  await send({ type: 'websocket.send', text: `welcome to ${getParams(scope).room}` });
  await send({ type: 'websocket.close' });
};

const requireToken: Middleware = (app) => async (scope, receive, send) => {
  if (scope.type === 'http' && !scope.headers.some(([name]) => name === 'authorization')) {
    return json(401, { error: 'token required' })(scope, receive, send);
  }
  return app(scope, receive, send);
};

const files: App = async (scope, receive, send) => {
  if (scope.type !== 'http') throw new Error('http only');
  await json(200, { root_path: scope.root_path, path: scope.path })(scope, receive, send);
};

const router = new Router();
router.get('/users/:id<int>', showUser, { name: 'user' });
router.post('/users', json(201, { created: true }));
router.websocket('/rooms/:room<slug>', chat);
router.group(
  '/admin',
  (admin) => {
    admin.use(requireToken);
    admin.get('/stats', json(200, { ok: true }), { name: 'stats' });
  },
  { name: 'admin' },
);
router.mount('/static', files);

test('the README usage example behaves as documented', async () => {
  const client = new TestClient(router.app);
  expect((await client.get('/users/42')).json()).toEqual({ id: 42, self: '/users/42' });
  const put = await client.put('/users/42');
  expect(put.status).toBe(405);
  expect(put.header('allow')).toBe('GET, HEAD, OPTIONS');
  const slash = await client.get('/users/42/');
  expect(slash.status).toBe(301);
  expect(slash.header('location')).toBe('/users/42');
  expect((await client.get('/admin/stats')).status).toBe(401);
  expect((await client.get('/admin/stats', { headers: { authorization: 'Bearer x' } })).json()).toEqual({
    ok: true,
  });
  expect((await client.post('/users')).status).toBe(201);
  expect((await client.get('/static/app.css')).json()).toEqual({
    root_path: '/static',
    path: '/static/app.css',
  });
  expect(await (await client.websocket('/rooms/lobby')).receiveText()).toBe('welcome to lobby');
  expect(router.url('admin.stats', {}, { query: { range: '7d' } })).toBe('/admin/stats?range=7d');
});
