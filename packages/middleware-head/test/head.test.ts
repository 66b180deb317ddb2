import type { App, HttpScope, Scope } from '@pagi/spec';
import { compose } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { head } from '../src/index.js';

const types = (events: unknown[]) => events.map((e) => (e as { type: string }).type);

/** Answers with the method it saw, in a header and a two-chunk body. */
const echo: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({
    type: 'http.response.start',
    status: 200,
    headers: [
      ['content-type', 'text/plain'],
      ['content-length', '10'],
      ['x-method', scope.method],
    ],
  });
  await send({ type: 'http.response.body', body: 'first ', more: true });
  await send({ type: 'http.response.body', body: 'last' });
};

describe('head', () => {
  it('runs HEAD as GET, keeps every header (Content-Length too) and drops the body', async () => {
    const res = await new TestClient(head()(echo)).head('/');
    expect(res.status).toBe(200);
    expect(res.header('x-method')).toBe('GET');
    expect(res.header('content-length')).toBe('10');
    expect(res.header('content-type')).toBe('text/plain');
    expect(res.body.length).toBe(0);
    expect(types(res.events)).toEqual(['http.response.start', 'http.response.body']);
    expect(res.events[1]).toEqual({ type: 'http.response.body' });
  });

  it('leaves the caller’s scope as it was', async () => {
    const scope = { type: 'http', method: 'HEAD', path: '/', headers: [] } as unknown as HttpScope;
    let inner: HttpScope | undefined;
    const spy: App = async (s) => {
      inner = s as HttpScope;
    };
    await head()(spy)(
      scope,
      async () => ({ type: 'http.disconnect' }) as never,
      async () => {},
    );
    expect(scope.method).toBe('HEAD');
    expect(inner?.method).toBe('GET');
  });

  it('drops a file body unread', async () => {
    const fileApp: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['content-length', '3000']] });
      await send({ type: 'http.response.body', file: '/definitely/not/there' });
    };
    const res = await new TestClient(head()(fileApp)).head('/');
    expect(res.header('content-length')).toBe('3000');
    expect(res.events[1]).toEqual({ type: 'http.response.body' });
  });

  it('drops trailers, and the start’s promise of them', async () => {
    const withTrailers: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [], trailers: true });
      await send({ type: 'http.response.body', body: 'x' });
      await send({ type: 'http.response.trailers', headers: [['x-sum', '1']] });
    };
    const res = await new TestClient(head()(withTrailers)).head('/');
    expect(types(res.events)).toEqual(['http.response.start', 'http.response.body']);
    expect(res.events[0]).not.toHaveProperty('trailers');
  });

  it('gives HEAD the same ETag and Content-Length as GET when outside body-reading middleware', async () => {
    // A stand-in for etag()/contentLength(): a header computed from the body, GET only.
    const fromBody: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      const body = scope.method === 'GET' ? 'hello' : '';
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [['content-length', String(body.length)]],
      });
      await send({ type: 'http.response.body', body });
    };
    const client = new TestClient(compose(head())(fromBody));
    const get = await client.get('/');
    const res = await client.head('/');
    expect(res.header('content-length')).toBe(get.header('content-length'));
    expect(res.header('content-length')).toBe('5');
  });

  it('passes other methods through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    for (const method of ['GET', 'POST']) {
      const scope = { type: 'http', method, path: '/', headers: [] } as unknown as Scope;
      const receive = async () => ({ type: 'http.disconnect' }) as never;
      const send = async () => {};
      await head()(spy)(scope, receive, send);
      expect(seen[0]).toBe(scope);
      expect(seen[1]).toBe(receive);
      expect(seen[2]).toBe(send);
    }
    expect((await new TestClient(head()(echo)).get('/')).text).toBe('first last');
  });

  it('passes other scope types through untouched', async () => {
    let seen: unknown;
    const spy: App = async (scope) => {
      seen = scope;
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await head()(spy)(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(seen).toBe(scope);
  });

  it('lets the inner app’s errors through unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(head()(failing)).head('/')).rejects.toBe(boom);
  });

  it('refuses any option when applied, and names its functions', () => {
    expect(() => head({ strip: true } as never)).toThrow(/unknown option 'strip'/);
    expect(head().name).toBe('head');
    expect(head()(echo).name).toBe('head');
  });
});

describeMiddlewareChecks('head: the shared middleware checks of @pagi/test', head());
describeMiddlewareChecks('head (HEAD requests): the shared middleware checks of @pagi/test', head(), {
  request: { method: 'HEAD' },
  // A HEAD response has no body to stream: head() drops it by design.
  skip: ['body-streamed'],
});
