import { TestClient } from '@pagi/test';
import { describe, expect, test } from 'vitest';
import { Router } from '../src/index.js';
import { type Echo, echo, text } from './support/apps.js';
import { drive, scopeOf } from './support/drive.js';

describe('WebSocket routes', () => {
  test('a websocket route accepts, with its params', async () => {
    const r = new Router().websocket('/ws/:room', echo).get('/ws/:room', text('page'));
    const ws = await new TestClient(r.app).websocket('/ws/lobby');
    expect(ws.accepted).toBe(true);
    const got = JSON.parse(await ws.receiveText()) as Echo;
    expect(got.router?.params).toEqual({ room: 'lobby' });
  });

  test('no route: a 404 denial when the server advertises websocket.http.response', async () => {
    const r = new Router().get('/ws/:room', text('only http here'));
    const ws = await new TestClient(r.app).websocket('/ws/lobby');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(404);
    expect(ws.denial?.body.toString()).toBe('Not Found');
  });

  test('no route and no denial extension: websocket.close before accept (the server answers 403)', async () => {
    const r = new Router();
    const { sent } = await drive(r.app, scopeOf('websocket', { path: '/x', raw_path: '/x' }));
    expect(sent).toEqual([{ type: 'websocket.close' }]);
  });

  test('with the redirect policy a handshake is served on the other slash form (it cannot follow a redirect)', async () => {
    const r = new Router().websocket('/live', echo);
    const ws = await new TestClient(r.app).websocket('/live/');
    expect(ws.accepted).toBe(true);
  });
});

describe('SSE routes', () => {
  test('an sse route streams, with its params', async () => {
    const r = new Router().sse('/events/:topic', echo).get('/events/:topic', text('page'));
    const sse = await new TestClient(r.app).sse('/events/news');
    expect(sse.declined).toBe(false);
    const first = await sse.next();
    expect((JSON.parse(first!.data) as Echo).router?.params).toEqual({ topic: 'news' });
  });

  test('no sse route: declined with sse.http.response.start 404, even if an HTTP route has the path', async () => {
    const r = new Router().get('/events', text('page'));
    const sse = await new TestClient(r.app).sse('/events');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(404);
    expect(sse.body.toString()).toBe('Not Found');
  });

  test('the declines use only sse.* events', async () => {
    const { sent } = await drive(new Router().app, scopeOf('sse', { path: '/x', raw_path: '/x' }));
    expect(sent.map((e) => e.type)).toEqual(['sse.http.response.start', 'sse.http.response.body']);
    expect(sent[0]).toMatchObject({ status: 404 });
  });

  test('a trailing-slash redirect for SSE is a 301 decline', async () => {
    const r = new Router().sse('/events', echo);
    const { sent } = await drive(r.app, scopeOf('sse', { path: '/events/', raw_path: '/events/' }));
    expect(sent[0]).toMatchObject({ type: 'sse.http.response.start', status: 301 });
    expect((sent[0]!.headers as [string, string][]).find(([n]) => n === 'location')?.[1]).toBe('/events');
  });
});

describe('custom notFound and other scope types', () => {
  test('notFound receives websocket and sse scopes too', async () => {
    const types: string[] = [];
    const r = new Router({
      notFound: async (scope, _receive, send) => {
        types.push(scope.type);
        if (scope.type === 'sse') await send({ type: 'sse.http.response.start', status: 410 });
        if (scope.type === 'sse') await send({ type: 'sse.http.response.body', body: '' });
        if (scope.type === 'websocket') await send({ type: 'websocket.close' });
      },
    });
    const client = new TestClient(r.app);
    expect((await client.sse('/x')).status).toBe(410);
    expect((await client.websocket('/x')).accepted).toBe(false);
    expect(types).toEqual(['sse', 'websocket']);
  });

  test('lifespan is declined with UnsupportedScopeError unless router.lifespan(app) is set', async () => {
    const lifespanScope = { type: 'lifespan', pagi: { version: '0.3' } };
    await expect(drive(new Router().app, lifespanScope)).rejects.toMatchObject({
      code: 'PAGI_ERR_UNSUPPORTED_SCOPE',
    });
    const calls: string[] = [];
    const r = new Router().lifespan(async (scope) => {
      calls.push(scope.type);
      return 'done';
    });
    expect((await drive(r.app, lifespanScope)).result).toBe('done');
    expect(calls).toEqual(['lifespan']);
  });

  test('mounted apps never see lifespan', async () => {
    const seen: string[] = [];
    const r = new Router().mount('/', async (scope) => {
      seen.push(scope.type);
    });
    await expect(drive(r.app, { type: 'lifespan', pagi: { version: '0.3' } })).rejects.toMatchObject({
      code: 'PAGI_ERR_UNSUPPORTED_SCOPE',
    });
    expect(seen).toEqual([]);
  });

  test('an unknown scope type throws UnsupportedScopeError', async () => {
    await expect(drive(new Router().app, { type: 'mqtt' })).rejects.toMatchObject({
      code: 'PAGI_ERR_UNSUPPORTED_SCOPE',
      scopeType: 'mqtt',
    });
  });
});
