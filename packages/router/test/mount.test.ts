import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, test } from 'vitest';
import { Router } from '../src/index.js';
import { type Echo, echo, text } from './support/apps.js';
import { drive, scopeOf } from './support/drive.js';

describe('mount', () => {
  test('the sub-app sees root_path extended by the prefix and path/raw_path unchanged', async () => {
    const r = new Router().mount('/api', echo);
    const res = await new TestClient(r.app).get('/api/users/a%2Fb');
    expect(res.json<Echo>()).toMatchObject({
      root_path: '/api',
      path: '/api/users/a/b',
      raw_path: '/api/users/a%2Fb',
    });
  });

  test('matches the prefix itself and paths continuing it with /, not /apiary', async () => {
    const r = new Router().mount('/api', echo);
    const client = new TestClient(r.app);
    expect((await client.get('/api')).json<Echo>().root_path).toBe('/api');
    expect((await client.get('/api/')).json<Echo>().root_path).toBe('/api');
    expect((await client.get('/apiary')).status).toBe(404);
  });

  test('an encoded slash never fakes a prefix boundary: /api%2Fx is not under /api', async () => {
    const r = new Router().mount('/api', echo);
    expect((await new TestClient(r.app).get('/api%2Fx')).status).toBe(404);
  });

  test('the longest prefix wins; a mount at / catches the rest; routes come first', async () => {
    const r = new Router()
      .get('/api/health', text('route'))
      .mount('/', text('root'))
      .mount('/api', text('api'))
      .mount('/api/v2', text('v2'));
    const client = new TestClient(r.app);
    expect((await client.get('/api/health')).text).toBe('route');
    expect((await client.get('/api/v2/x')).text).toBe('v2');
    expect((await client.get('/api/v1/x')).text).toBe('api');
    expect((await client.get('/other')).text).toBe('root');
  });

  test('a mount at / leaves root_path as it was', async () => {
    const r = new Router().mount('/', echo);
    const res = await new TestClient(r.app, { rootPath: '/app' }).get('/app/x');
    expect(res.json<Echo>()).toMatchObject({ root_path: '/app', path: '/app/x' });
  });

  test('nested routers: each level matches the path below its root_path', async () => {
    const v1 = new Router().get('/files/*rest', echo, { name: 'file' });
    const api = new Router().mount('/v1', v1);
    const site = new Router().mount('/api', api);
    const res = await new TestClient(site.app, { rootPath: '/app' }).get('/app/api/v1/files/a%2Fb/c');
    expect(res.json<Echo>()).toMatchObject({
      root_path: '/app/api/v1',
      path: '/app/api/v1/files/a/b/c',
      router: { params: { rest: 'a/b/c' }, route: { pattern: '/files/*rest' } },
    });
  });

  test('a router under a server root_path routes relative to it', async () => {
    const r = new Router().get('/users/:id', echo);
    const res = await new TestClient(r.app, { rootPath: '/app' }).get('/app/users/7');
    expect(res.json<Echo>().router?.params).toEqual({ id: '7' });
  });

  test('without raw_path the router works from path', async () => {
    const inner = new Router().get('/users/:id', echo);
    const r = new Router().mount('/api', inner);
    const { sent } = await drive(r.app, scopeOf('http', { path: '/api/users/50%', raw_path: undefined }));
    const body = JSON.parse(String(sent[1]!.body)) as Echo;
    expect(body.router?.params).toEqual({ id: '50%' });
  });

  test('a route that matches the path but not the method gives 405 before mounts are tried', async () => {
    const r = new Router().get('/api/x', text('route')).mount('/api', text('mounted'));
    const client = new TestClient(r.app);
    expect((await client.post('/api/x')).status).toBe(405);
    expect((await client.post('/api/y')).text).toBe('mounted');
  });

  test('mounts receive websocket and sse scopes too', async () => {
    const r = new Router().mount('/live', echo);
    const client = new TestClient(r.app);
    const ws = await client.websocket('/live/ws');
    expect((JSON.parse(await ws.receiveText()) as Echo).root_path).toBe('/live');
    const sse = await client.sse('/live/sse');
    expect((JSON.parse((await sse.next())!.data) as Echo).root_path).toBe('/live');
  });

  test('a Router instance can be mounted directly', async () => {
    const inner = new Router().get('/', text('inner index'));
    const r = new Router().mount('/in', inner);
    expect((await new TestClient(r.app).get('/in')).text).toBe('inner index');
  });

  test('group mounts take the group prefix', async () => {
    const r = new Router();
    r.group('/v1', (g) => g.mount('/static', echo));
    const res = await new TestClient(r.app).get('/v1/static/a.css');
    expect(res.json<Echo>().root_path).toBe('/v1/static');
  });

  test('the sub-app result passes through the router', async () => {
    const sub: App = async () => 'value';
    const r = new Router().mount('/m', sub);
    expect((await drive(r.app, scopeOf('http', { path: '/m', raw_path: '/m' }))).result).toBe('value');
  });
});
