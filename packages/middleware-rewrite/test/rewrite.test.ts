import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { ORIGINAL_PATH, rewrite } from '../src/index.js';

/** Answers `path | raw_path | query | original` as the inner app saw them. */
const echo: App = async (scope, receive, send) => {
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({
      type: 'http.response.body',
      body: `${scope.path} | ${scope.raw_path} | ${scope.query_string} | ${ORIGINAL_PATH.get(scope) ?? '-'}`,
    });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept', headers: [['x-path', scope.path]] });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200, headers: [['x-path', scope.path]] });
  }
};
const get = (mw: ReturnType<typeof rewrite>, target: string) =>
  new TestClient(mw(echo), { followRedirects: false }).get(target);

describe('rewrite', () => {
  const mw = rewrite({
    rules: [
      { from: '/legacy', to: '/modern' },
      { from: /^\/u\/(\d+)$/, to: '/users/$1' },
      { from: /^\/p\/(?<slug>[a-z]+)$/, to: '/posts/$<slug>?from=p' },
    ],
  });

  it('string rules match exactly or as a directory, never as a bare prefix', async () => {
    expect((await get(mw, '/legacy')).text).toBe('/modern | /modern |  | /legacy');
    expect((await get(mw, '/legacy/a/b')).text).toBe('/modern/a/b | /modern/a/b |  | /legacy/a/b');
    expect((await get(mw, '/legacyx')).text).toBe('/legacyx | /legacyx |  | -');
  });

  it('updates raw_path to match the new path (upstream left it stale) and keeps the query', async () => {
    const res = await get(mw, '/legacy/caf%C3%A9%3F?q=1');
    expect(res.text).toBe('/modern/café? | /modern/caf%C3%A9%3F | q=1 | /legacy/café?');
  });

  it('RegExp rules substitute groups, named groups and $10+ correctly', async () => {
    expect((await get(mw, '/u/42')).text).toBe('/users/42 | /users/42 |  | /u/42');
    expect((await get(mw, '/p/hello?x=2')).text).toBe('/posts/hello | /posts/hello | from=p&x=2 | /p/hello');
    const many = rewrite({ rules: [{ from: /^\/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)$/, to: '/$11-$10-$1' }] });
    expect((await get(many, '/abcdefghijk')).text).toMatch(/^\/k-j-a \|/);
  });

  it('the first matching rule wins, and the first original path is kept through two layers', async () => {
    const inner = rewrite({ rules: [{ from: '/modern', to: '/newest' }] });
    const app = mw(inner(echo));
    expect((await new TestClient(app).get('/legacy')).text).toBe('/newest | /newest |  | /legacy');
  });

  it('never produces a protocol-relative // path', async () => {
    const loose = rewrite({ rules: [{ from: /^\/go(.*)$/, to: '/$1' }], redirect: 302 });
    const res = await get(loose, '/go/evil.com/x');
    expect(res.status).toBe(302);
    expect(res.header('location')).toBe('/evil.com/x');
  });

  it('redirect mode answers HTTP and SSE with the status and keeps the query', async () => {
    const r = rewrite({ rules: [{ from: '/old', to: '/new' }], redirect: 301 });
    const res = await get(r, '/old/x?a=1');
    expect(res.status).toBe(301);
    expect(res.header('location')).toBe('/new/x?a=1');
    const feed = await new TestClient(r(echo)).sse('/old');
    expect(feed.status).toBe(301);
    expect(feed.header('location')).toBe('/new');
  });

  it('WebSockets are rewritten internally, even in redirect mode; SSE internally otherwise', async () => {
    const r = rewrite({ rules: [{ from: '/old', to: '/new' }], redirect: 308 });
    const ws = await new TestClient(r(echo)).websocket('/old/socket');
    expect(ws.acceptHeaders).toEqual([['x-path', '/new/socket']]);
    await ws.close();
    const feed = await new TestClient(rewrite({ rules: [{ from: '/old', to: '/new' }] })(echo)).sse('/old');
    expect(feed.header('x-path')).toBe('/new');
    await feed.disconnect();
  });

  it('leaves the caller’s scope as it was', async () => {
    const scope = {
      type: 'http',
      path: '/legacy',
      raw_path: '/legacy',
      query_string: '',
      headers: [],
    } as unknown as Scope;
    let inner: unknown;
    await mw(async (s) => {
      inner = s;
    })(
      scope,
      async () => ({ type: 'http.disconnect' }) as never,
      async () => {},
    );
    expect((scope as { path: string }).path).toBe('/legacy');
    expect((inner as { path: string }).path).toBe('/modern');
  });

  it('passes lifespan through with the very same scope', async () => {
    let got: unknown;
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await mw(async (s) => {
      got = s;
    })(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(got).toBe(scope);
  });

  it('refuses unknown options and malformed rules when called', () => {
    expect(() => rewrite({ rules: [], redirect_code: 301 } as never)).toThrow(
      /unknown option 'redirect_code'/,
    );
    expect(() => rewrite({ rules: [] })).toThrow(/non-empty/);
    expect(() => rewrite({ rules: [{ from: '/a', to: 'https://evil.com' }] })).toThrow(/starting with \//);
    expect(() => rewrite({ rules: [{ from: 'a', to: '/b' }] })).toThrow(/from to start with/);
    expect(() => rewrite({ rules: [{ from: 5 as never, to: '/b' }] })).toThrow(/string or a RegExp/);
    expect(() => rewrite({ rules: [{ from: '/a', to: '/b' }], redirect: 303 as never })).toThrow(/redirect/);
    expect(() => rewrite(undefined as never)).toThrow(/rules/);
  });

  it('names its functions for stack traces', () => {
    expect(mw.name).toBe('rewrite');
    expect(mw(echo).name).toBe('rewrite');
  });
});

describeMiddlewareChecks(
  'rewrite: the shared middleware checks of @pagi/test',
  rewrite({ rules: [{ from: '/', to: '/' }] }),
  {
    handles: ['http', 'sse', 'websocket'],
  },
);
