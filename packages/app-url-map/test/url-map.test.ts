import { type App, PagiValidationError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { urlMap } from '../src/index.js';

/** Answers with its name and the scope's path and root_path, on every scope type. */
function tell(name: string): App {
  return async (scope, _receive, send) => {
    if (scope.type === 'lifespan') return;
    const text = `${name} path=${scope.path} root=${scope.root_path} raw=${scope.raw_path}`;
    if (scope.type === 'http') {
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
      await send({ type: 'http.response.body', body: text });
    } else if (scope.type === 'websocket') {
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.send', text });
      await send({ type: 'websocket.close' });
    } else {
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: text });
      await send({ type: 'sse.close' });
    }
  };
}

const app = urlMap({ '/api': tell('api'), '/api/v2/': tell('v2'), '/': tell('root') });
const client = new TestClient(app);

describe('urlMap: matching', () => {
  it.each([
    ['/api', 'api path=/api root=/api raw=/api'],
    ['/api/', 'api path=/api/ root=/api raw=/api/'],
    ['/api/users', 'api path=/api/users root=/api raw=/api/users'],
    ['/api/v2', 'v2 path=/api/v2 root=/api/v2 raw=/api/v2'],
    ['/api/v2/x', 'v2 path=/api/v2/x root=/api/v2 raw=/api/v2/x'],
    ['/api/v20', 'api path=/api/v20 root=/api raw=/api/v20'],
    ['/apix', 'root path=/apix root= raw=/apix'],
    ['/', 'root path=/ root= raw=/'],
  ])('%s → %s (longest prefix, whole segments, path kept, root_path set)', async (path, expected) => {
    expect((await client.get(path)).text).toBe(expected);
  });

  it('insertion order does not matter: the longest prefix wins', async () => {
    const a = urlMap([
      ['/a', tell('a')],
      ['/a/b/c', tell('abc')],
      ['/a/b', tell('ab')],
    ]);
    const c = new TestClient(a);
    expect((await c.get('/a/b/c/d')).text).toMatch(/^abc /);
    expect((await c.get('/a/b/cd')).text).toMatch(/^ab /);
    expect((await c.get('/a/bc')).text).toMatch(/^a /);
  });

  it('extends an existing root_path (a map mounted inside a map)', async () => {
    const inner = urlMap({ '/users': tell('users') });
    const outer = new TestClient(urlMap(new Map([['/api', inner]])));
    expect((await outer.get('/api/users/7')).text).toBe(
      'users path=/api/users/7 root=/api/users raw=/api/users/7',
    );
  });

  it('matches on the decoded path; raw_path is passed unchanged', async () => {
    const c = new TestClient(urlMap({ '/caf\u00e9': tell('cafe') }));
    expect((await c.get('/caf%C3%A9/x')).text).toBe(
      'cafe path=/caf\u00e9/x root=/caf\u00e9 raw=/caf%C3%A9/x',
    );
  });

  it('does not mutate the caller scope', async () => {
    let seen: unknown;
    const spy: App = async (scope, receive, send) => {
      seen = scope;
      return app(scope, receive, send);
    };
    const res = await new TestClient(spy).get('/api/x');
    expect(res.text).toMatch(/^api /);
    expect((seen as { root_path: string }).root_path).toBe('');
  });
});

describe('urlMap: no match', () => {
  const bare = new TestClient(urlMap({ '/api': tell('api') }));

  it('HTTP gets a 404', async () => {
    const res = await bare.get('/other');
    expect(res.status).toBe(404);
    expect(res.text).toBe('Not Found');
  });

  it('WebSocket is denied before accept with a 404 (the denial extension)', async () => {
    const ws = await bare.websocket('/other');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(404);
  });

  it('SSE is declined with a 404', async () => {
    const sse = await bare.sse('/other');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(404);
  });

  it('WebSocket and SSE that match reach their app', async () => {
    const ws = await bare.websocket('/api/chat');
    expect(ws.accepted).toBe(true);
    expect(await ws.receiveText()).toBe('api path=/api/chat root=/api raw=/api/chat');
    const sse = await bare.sse('/api/feed');
    expect((await sse.next())?.data).toBe('api path=/api/feed root=/api raw=/api/feed');
  });

  it('the default app gets unmatched connections and lifespan', async () => {
    let startup = false;
    const fallback: App = async (scope, receive, send) => {
      if (scope.type !== 'lifespan') return tell('default')(scope, receive, send);
      const event = await receive();
      startup = event.type === 'lifespan.startup';
      await send({ type: 'lifespan.startup.complete' });
      await receive();
      await send({ type: 'lifespan.shutdown.complete' });
    };
    const c = new TestClient(urlMap({ '/api': tell('api') }, { default: fallback }));
    await c.lifespan(async () => {
      expect((await c.get('/x')).text).toBe('default path=/x root= raw=/x');
    });
    expect(startup).toBe(true);
  });

  it('without a default, lifespan is declined (no crash)', async () => {
    await expect(bare.startup()).resolves.toBeUndefined();
  });
});

describe('urlMap: validation', () => {
  const ok = tell('x');
  it.each([
    [{ api: ok }, "start with '/'"],
    [{ '': ok }, "start with '/'"],
    [{ '/a': 'nope' }, 'app function'],
    [
      [
        ['/a/', ok],
        ['/a', ok],
      ],
      "'/a' is mapped twice",
    ],
  ])('%j is refused (%s)', (table, message) => {
    expect(() => urlMap(table as never)).toThrow(PagiValidationError);
    expect(() => urlMap(table as never)).toThrow(message);
  });

  it('refuses an unknown option and a bad default', () => {
    expect(() => urlMap({}, { fallback: ok } as never)).toThrow("unknown option 'fallback'");
    expect(() => urlMap({}, { default: 1 } as never)).toThrow('default');
    expect(() => urlMap(null as never)).toThrow(PagiValidationError);
  });
});

it('WebSocket without the denial extension: closed before accept, the server answers 403', async () => {
  const sent: unknown[] = [];
  const scope = { type: 'websocket', path: '/x', raw_path: '/x', root_path: '', extensions: {} };
  await urlMap({ '/api': tell('api') })(
    scope as never,
    async () => ({ type: 'websocket.connect' }) as never,
    async (event) => {
      sent.push(event);
    },
  );
  expect(sent).toEqual([{ type: 'websocket.close' }]);
});
