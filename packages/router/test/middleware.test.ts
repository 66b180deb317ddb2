import type { App, Middleware } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, test } from 'vitest';
import { Router } from '../src/index.js';
import { type Echo, echo } from './support/apps.js';

/** A middleware that appends its label to `scope.trace` (on a shallow copy, protocol.md §1.7). */
function tag(label: string, factoryCalls?: string[]): Middleware {
  return (app: App) => {
    factoryCalls?.push(label);
    return async (scope, receive, send) => {
      const trace = [...((scope.trace as string[] | undefined) ?? []), label];
      return app({ ...scope, trace } as typeof scope, receive, send);
    };
  };
}

describe('middleware', () => {
  test('order: router-wide, outer group, inner group, group option, route middleware, handler', async () => {
    const r = new Router();
    r.use(tag('router'));
    r.group(
      '/g',
      (g) => {
        g.group('/h', (h) => {
          h.get('/x', echo, { middleware: [tag('route1'), tag('route2')] });
          h.use(tag('inner-group'));
        });
        g.use(tag('outer-group'));
      },
      { middleware: [tag('group-option')] },
    );
    const res = await new TestClient(r.app).get('/g/h/x');
    expect(res.json<Echo>().trace).toEqual([
      'router',
      'group-option',
      'outer-group',
      'inner-group',
      'route1',
      'route2',
    ]);
  });

  test('chains are composed once, at compile, not per request', async () => {
    const calls: string[] = [];
    const r = new Router().use(tag('router', calls)).get('/x', echo, { middleware: [tag('route', calls)] });
    const client = new TestClient(r.app);
    await client.get('/x');
    await client.get('/x');
    await client.get('/missing');
    expect(calls.sort()).toEqual(['route', 'router']);
  });

  test('router-wide middleware sees requests the router answers itself', async () => {
    const seen: string[] = [];
    const spy: Middleware = (app) => async (scope, receive, send) => {
      seen.push((scope as { path: string }).path);
      return app(scope, receive, send);
    };
    const r = new Router().use(spy).get('/x', echo);
    const client = new TestClient(r.app);
    expect((await client.get('/missing')).status).toBe(404);
    expect((await client.post('/x')).status).toBe(405);
    expect(seen).toEqual(['/missing', '/x']);
  });

  test('route middleware does not run for other routes', async () => {
    const r = new Router().get('/a', echo, { middleware: [tag('a')] }).get('/b', echo);
    const res = await new TestClient(r.app).get('/b');
    expect(res.json<Echo>().trace).toBeUndefined();
  });

  test('middleware works on websocket routes and wraps mounts', async () => {
    const r = new Router()
      .websocket('/ws', echo, { middleware: [tag('ws')] })
      .mount('/m', echo, { middleware: [tag('mount')] });
    const client = new TestClient(r.app);
    const ws = await client.websocket('/ws');
    expect((JSON.parse(await ws.receiveText()) as Echo).trace).toEqual(['ws']);
    expect((await client.get('/m/x')).json<Echo>().trace).toEqual(['mount']);
  });
});
