import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, test } from 'vitest';
import { getParams, Router } from '../src/index.js';
import { type Echo, echo, text } from './support/apps.js';

describe('dispatch to HTTP routes', () => {
  test('the handler gets params and route info in scope["pagi.router"] and through getParams', async () => {
    let seen: unknown;
    const r = new Router().get(
      '/users/:id<int>/:tab?',
      async (scope, receive, send) => {
        seen = getParams(scope);
        await echo(scope, receive, send);
      },
      { name: 'user' },
    );
    const res = await new TestClient(r.app).get('/users/42/repos');
    expect(res.status).toBe(200);
    expect(res.json<Echo>().router).toEqual({
      params: { id: 42, tab: 'repos' },
      route: { name: 'user', pattern: '/users/:id<int>/:tab?' },
    });
    expect(seen).toEqual({ id: 42, tab: 'repos' });
  });

  test('%2F in a request path stays inside the parameter', async () => {
    const r = new Router().get('/repos/:owner/:repo', echo);
    const res = await new TestClient(r.app).get('/repos/a%2Fb/c%20d');
    expect(res.json<Echo>().router?.params).toEqual({ owner: 'a/b', repo: 'c d' });
  });

  test('404 text when nothing matches', async () => {
    const res = await new TestClient(new Router().get('/a', text('a')).app).get('/b');
    expect(res.status).toBe(404);
    expect(res.text).toBe('Not Found');
    expect(res.header('content-type')).toBe('text/plain; charset=utf-8');
  });

  test('a custom notFound app takes over', async () => {
    const r = new Router({ notFound: text('custom') }).get('/a', text('a'));
    const res = await new TestClient(r.app).get('/b');
    expect(res.text).toBe('custom');
  });
});

describe('methods', () => {
  const router = () =>
    new Router()
      .get('/items/:id', text('get'))
      .put('/items/:id', text('put'))
      .delete('/items/:id<int>', text('delete'))
      .post('/items', text('post'))
      .all('/any', text('any'));

  test('405 with a sorted Allow listing every path-matching route, HEAD and OPTIONS', async () => {
    const client = new TestClient(router().app);
    const res = await client.post('/items/7');
    expect(res.status).toBe(405);
    expect(res.header('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
    expect(res.text).toBe('Method Not Allowed');
    // A constraint that rejects the value removes its route from Allow.
    expect((await client.post('/items/x')).header('allow')).toBe('GET, HEAD, OPTIONS, PUT');
  });

  test('automatic OPTIONS answers 204 with Allow; an explicit OPTIONS route wins', async () => {
    const r = router().options('/items', text('explicit'));
    const client = new TestClient(r.app);
    const auto = await client.options('/items/7');
    expect(auto.status).toBe(204);
    expect(auto.header('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
    expect(auto.body.length).toBe(0);
    expect((await client.options('/items')).text).toBe('explicit');
  });

  test('HEAD is served by the GET route with scope.method still HEAD', async () => {
    let method: string | undefined;
    const r = new Router().get('/x', async (scope, receive, send) => {
      method = (scope as { method: string }).method;
      await text('body')(scope, receive, send);
    });
    const res = await new TestClient(r.app).head('/x');
    expect(res.status).toBe(200);
    expect(method).toBe('HEAD');
  });

  test('`all` takes every method, so it never yields 405', async () => {
    const client = new TestClient(router().app);
    expect((await client.request('PATCH', '/any')).text).toBe('any');
    expect((await client.request('BREW', '/any')).text).toBe('any');
  });
});

describe('trailing slash', () => {
  const table = (trailingSlash?: 'redirect' | 'match' | 'strict') =>
    new Router(trailingSlash === undefined ? {} : { trailingSlash })
      .get('/about', text('about'))
      .post('/about', text('posted'))
      .get('/dir/', text('dir'));

  test('redirect (the default): 301 for GET/HEAD, 308 otherwise, to the registered form, query kept', async () => {
    const client = new TestClient(table().app);
    const get = await client.get('/about/?x=1&y=%20');
    expect(get.status).toBe(301);
    expect(get.header('location')).toBe('/about?x=1&y=%20');
    const post = await client.post('/about/');
    expect(post.status).toBe(308);
    expect(post.header('location')).toBe('/about');
    const dir = await client.get('/dir');
    expect(dir.status).toBe(301);
    expect(dir.header('location')).toBe('/dir/');
  });

  test('the redirect keeps root_path and the raw encoding of the path', async () => {
    const r = new Router().get('/caf\u00e9', text('x'));
    const res = await new TestClient(r.app, { rootPath: '/app' }).get('/app/caf%C3%A9/');
    expect(res.header('location')).toBe('/app/caf%C3%A9');
  });

  test('a redirect never turns into a protocol-relative URL', async () => {
    const r = new Router().get('/:host', text('x'));
    const client = new TestClient(r.app);
    const res = await client.get('//evil.example/');
    expect(res.status).toBe(404);
    const r2 = new Router().get('//evil.example', text('x'));
    const res2 = await new TestClient(r2.app).get('//evil.example/');
    expect(res2.status).toBe(301);
    expect(res2.header('location')).toBe('/evil.example');
  });

  test('match: both forms are served directly', async () => {
    const client = new TestClient(table('match').app);
    expect((await client.get('/about/')).text).toBe('about');
    expect((await client.get('/dir')).text).toBe('dir');
    expect((await client.put('/about/')).status).toBe(405);
  });

  test('strict: only the registered form', async () => {
    const client = new TestClient(table('strict').app);
    expect((await client.get('/about/')).status).toBe(404);
    expect((await client.get('/dir')).status).toBe(404);
    expect((await client.get('/about')).text).toBe('about');
  });

  test('an exact route beats the other form', async () => {
    const r = new Router().get('/x', text('bare')).get('/x/', text('slash'));
    const client = new TestClient(r.app);
    expect((await client.get('/x')).text).toBe('bare');
    expect((await client.get('/x/')).text).toBe('slash');
  });
});

describe('the incoming scope is never mutated', () => {
  test('route, mount and 404 dispatch leave the caller scope exactly as it was', async () => {
    const inner = new Router().get('/users/:id', echo);
    const r = new Router().get('/a/:x', echo).mount('/api', inner);
    const snapshots: Array<[Record<string, unknown>, Record<string, unknown>]> = [];
    const outer: App = async (scope, receive, send) => {
      const before = { ...scope };
      await r.app(scope, receive, send);
      snapshots.push([before, { ...scope }]);
    };
    const client = new TestClient(outer);
    await client.get('/a/1');
    await client.get('/api/users/2');
    await client.get('/missing');
    expect(snapshots).toHaveLength(3);
    for (const [before, after] of snapshots) {
      expect(Object.keys(after)).toEqual(Object.keys(before));
      for (const key of Object.keys(before)) expect(after[key], key).toBe(before[key]);
      expect(after['pagi.router']).toBeUndefined();
    }
  });
});
