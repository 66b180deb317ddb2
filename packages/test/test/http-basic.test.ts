import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpRequestEvent, HttpScope } from '@pagi/spec';
import { validateScope } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { TestClient } from '../src/index.js';
import { echoApp, httpOnly, textApp } from './apps.js';

interface Echo {
  method: string;
  path: string;
  raw_path: string;
  query_string: string;
  root_path: string;
  headers: [string, string][];
  http_version: string;
  scheme: string;
  body: string;
}

/** An app that records the scope and the request events it received, then answers 204. */
function recorder() {
  const seen: { scope?: HttpScope; events: HttpRequestEvent[] } = { events: [] };
  const app = httpOnly(async (scope, receive, send) => {
    seen.scope = scope;
    while (true) {
      const event = await receive();
      if (event.type !== 'http.request') break;
      seen.events.push(event);
      if (!event.more) break;
    }
    await send({ type: 'http.response.start', status: 204 });
    await send({ type: 'http.response.body' });
  });
  return { app, seen };
}

describe('HTTP scope', () => {
  it('runs every method helper with the matching scope.method', async () => {
    const client = new TestClient(echoApp);
    for (const method of ['get', 'post', 'put', 'patch', 'delete', 'options'] as const) {
      const res = await client[method]('/things');
      expect(res.status).toBe(200);
      expect(res.json<Echo>().method).toBe(method.toUpperCase());
    }
    expect((await client.request('purge', '/x')).json<Echo>().method).toBe('PURGE');
  });

  it('fills every key of protocol.md §3.1/§3.2 the way the server does', async () => {
    const { app, seen } = recorder();
    await new TestClient(app).get('/caf%C3%A9/x y?a=1', { query: { b: [2, 3] } });
    const scope = seen.scope!;
    validateScope(scope);
    expect(scope.type).toBe('http');
    expect(scope.pagi).toEqual({ version: '0.3', spec_version: '0.3' });
    expect(scope.http_version).toBe('1.1');
    expect(scope.method).toBe('GET');
    expect(scope.scheme).toBe('http');
    expect(scope.raw_path).toBe('/caf%C3%A9/x%20y');
    expect(scope.path).toBe('/café/x y');
    expect(scope.query_string).toBe('a=1&b=2&b=3');
    expect(scope.root_path).toBe('');
    expect(scope.headers).toEqual([['host', 'testserver']]);
    expect(scope.client).toEqual(['127.0.0.1', 50000]);
    expect(scope.server).toEqual(['testserver', 80]);
    expect(scope.state).toEqual({});
    expect(scope.extensions).toEqual({ fullflush: {} });
    expect(scope['pagi.transport']?.buffered_amount()).toBe(0);
    expect(typeof scope['pagi.connection'].is_connected).toBe('function');
  });

  it('encodes non-ASCII paths as UTF-8 and decodes invalid UTF-8 as latin1 (D-8)', async () => {
    const client = new TestClient(echoApp);
    const utf8 = (await client.get('/ü')).json<Echo>();
    expect(utf8.raw_path).toBe('/%C3%BC');
    expect(utf8.path).toBe('/ü');
    const latin1 = (await client.get('/%FF')).json<Echo>();
    expect(latin1.raw_path).toBe('/%FF');
    expect(latin1.path).toBe('/\u00ff');
  });

  it('takes a query string as given, with or without "?"', async () => {
    const client = new TestClient(echoApp);
    expect((await client.get('/', { query: '?x=%20y' })).json<Echo>().query_string).toBe('x=%20y');
    expect((await client.get('/', { query: 'k=v' })).json<Echo>().query_string).toBe('k=v');
    expect((await client.get('/', { query: { s: 'a b&c' } })).json<Echo>().query_string).toBe('s=a+b%26c');
  });

  it('honours client options: rootPath, scheme, client, server, default headers', async () => {
    const client = new TestClient(echoApp, {
      rootPath: '/api',
      scheme: 'https',
      server: ['example.org', 8443],
      headers: { 'X-Default': 'd', 'x-both': 'default' },
    });
    const echo = (await client.get('/users', { headers: { 'X-Both': 'mine' } })).json<Echo>();
    expect(echo.root_path).toBe('/api');
    expect(echo.path).toBe('/api/users');
    expect(echo.scheme).toBe('https');
    expect(echo.headers).toEqual([
      ['host', 'example.org:8443'],
      ['x-default', 'd'],
      ['x-both', 'mine'],
    ]);
    // A path that already carries the root is not prefixed twice.
    expect((await client.get('/api/users')).json<Echo>().path).toBe('/api/users');
  });

  it('keeps a host header the test gives and lowercases names', async () => {
    const echo = (await new TestClient(echoApp).get('/', { headers: [['Host', 'other']] })).json<Echo>();
    expect(echo.headers).toEqual([['host', 'other']]);
  });

  it('joins several cookie headers into exactly one entry (§3.7)', async () => {
    const client = new TestClient(echoApp, { headers: [['cookie', 'a=1']] });
    const echo = (
      await client.get('/', {
        headers: [
          ['x-a', '1'],
          ['cookie', 'b=2'],
          ['Cookie', 'c=3'],
        ],
      })
    ).json<Echo>();
    expect(echo.headers).toEqual([
      ['host', 'testserver'],
      ['x-a', '1'],
      ['cookie', 'b=2; c=3'],
    ]);
  });

  it('rejects request headers no server could deliver', async () => {
    const client = new TestClient(echoApp);
    await expect(client.get('/', { headers: { 'x-bad': 'a\r\nb' } })).rejects.toMatchObject({
      code: 'PAGI_ERR_VALIDATION',
    });
  });

  it('sets http_version', async () => {
    const client = new TestClient(echoApp);
    expect((await client.get('/', { httpVersion: '2' })).json<Echo>().http_version).toBe('2');
    expect((await client.get('/', { httpVersion: '1.0' })).json<Echo>().http_version).toBe('1.0');
  });

  it('gives every request a shallow copy of the lifespan state', async () => {
    const shared = { hits: 0 };
    const states: Record<string, unknown>[] = [];
    const client = new TestClient(
      httpOnly(async (scope, _receive, send) => {
        const state = scope.state!;
        states.push(state);
        (state.shared as { hits: number }).hits++;
        state.mine = true;
        await send({ type: 'http.response.start', status: 204 });
        await send({ type: 'http.response.body' });
      }),
      { state: { shared } },
    );
    await client.get('/');
    await client.get('/');
    expect(shared.hits).toBe(2);
    expect(states[0]).not.toBe(states[1]);
    expect(client.state).toEqual({ shared });
  });
});

describe('HTTP request bodies', () => {
  it('delivers an empty body as one event with more: false', async () => {
    const { app, seen } = recorder();
    await new TestClient(app).get('/');
    expect(seen.events).toHaveLength(1);
    expect(seen.events[0]).toMatchObject({ type: 'http.request', more: false });
    expect(Buffer.from(seen.events[0]!.body).length).toBe(0);
    expect(seen.scope!.headers).toEqual([['host', 'testserver']]);
  });

  it('sends json with content-type and content-length', async () => {
    const echo = (await new TestClient(echoApp).post('/j', { json: { a: 'é' } })).json<Echo>();
    expect(Buffer.from(echo.body, 'latin1').toString('utf8')).toBe('{"a":"é"}');
    expect(echo.headers).toEqual([
      ['host', 'testserver'],
      ['content-type', 'application/json'],
      ['content-length', '10'],
    ]);
  });

  it('sends a form URL-encoded', async () => {
    const echo = (
      await new TestClient(echoApp).post('/f', { form: { a: 'x y', b: ['1', '2'] } })
    ).json<Echo>();
    expect(echo.body).toBe('a=x+y&b=1&b=2');
    expect(echo.headers).toContainEqual(['content-type', 'application/x-www-form-urlencoded']);
  });

  it('sends string and byte bodies in one event', async () => {
    const { app, seen } = recorder();
    const client = new TestClient(app);
    await client.put('/', { body: new Uint8Array([1, 2, 3]) });
    expect(seen.events).toHaveLength(1);
    expect([...seen.events[0]!.body]).toEqual([1, 2, 3]);
    expect(seen.scope!.headers).toContainEqual(['content-length', '3']);
  });

  it('sends an iterable chunk by chunk, more true except the last', async () => {
    const { app, seen } = recorder();
    await new TestClient(app).post('/', { body: ['a', 'bc', new Uint8Array([100])] });
    expect(seen.events.map((e) => [Buffer.from(e.body).toString(), e.more])).toEqual([
      ['a', true],
      ['bc', true],
      ['d', false],
    ]);
    expect(seen.scope!.headers).toContainEqual(['transfer-encoding', 'chunked']);
  });

  it('sends an async iterable chunk by chunk', async () => {
    const { app, seen } = recorder();
    async function* chunks() {
      yield 'x';
      yield 'y';
    }
    await new TestClient(app).post('/', { body: chunks(), httpVersion: '2' });
    expect(seen.events.map((e) => [Buffer.from(e.body).toString(), e.more])).toEqual([
      ['x', true],
      ['y', false],
    ]);
    expect(seen.scope!.headers.some(([n]) => n === 'transfer-encoding')).toBe(false);
  });

  it('sends an empty iterable as one empty final event', async () => {
    const { app, seen } = recorder();
    await new TestClient(app).post('/', { body: [] });
    expect(seen.events).toHaveLength(1);
    expect(seen.events[0]!.more).toBe(false);
  });

  it('rejects the call when the test body iterable throws; the app sees a read error', async () => {
    let reason: string | undefined;
    const app = httpOnly(async (scope, receive) => {
      scope['pagi.connection'].on_disconnect((r) => {
        reason = r;
      });
      while ((await receive()).type === 'http.request') {}
    });
    function* broken(): Generator<string> {
      yield 'a';
      throw new Error('source broke');
    }
    await expect(new TestClient(app).post('/', { body: broken() })).rejects.toThrow('source broke');
    expect(reason).toBe('read_error');
  });
});

describe('HTTP responses', () => {
  it('returns the text of a plain app with status and headers', async () => {
    const res = await new TestClient(textApp('hi', 201)).get('/');
    expect(res.status).toBe(201);
    expect(res.text).toBe('hi');
    expect(res.header('CONTENT-TYPE')).toBe('text/plain');
    expect(res.header('x-missing')).toBeUndefined();
    expect(res.disconnected).toBe(false);
  });

  it('keeps repeated headers and every raw event', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ],
      });
      await send({ type: 'http.response.body', body: 'a', more: true });
      await send({ type: 'http.fullflush' });
      await send({ type: 'http.response.body', body: new Uint8Array([98]) });
    });
    const res = await new TestClient(app).get('/');
    expect(res.headerValues('Set-Cookie')).toEqual(['a=1', 'b=2']);
    expect(res.text).toBe('ab');
    expect(res.events.map((e) => (e as { type: string }).type)).toEqual([
      'http.response.start',
      'http.response.body',
      'http.fullflush',
      'http.response.body',
    ]);
  });

  it('drops the body of a HEAD response but keeps the head', async () => {
    const res = await new TestClient(textApp('body bytes')).head('/');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.events).toHaveLength(2);
  });

  it('collects declared trailers', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, trailers: true });
      await send({ type: 'http.response.body', body: 'data' });
      expect(_scope['pagi.connection'].response_complete?.()).toBe(false);
      await send({ type: 'http.response.trailers', headers: [['x-checksum', 'abc']] });
      expect(_scope['pagi.connection'].response_complete?.()).toBe(true);
    });
    const res = await new TestClient(app).get('/');
    expect(res.text).toBe('data');
    expect(res.trailers).toEqual([['x-checksum', 'abc']]);
    expect(res.connection.response_complete?.()).toBe(true);
  });

  it('drops the body of a 204 or 304, as of a HEAD', async () => {
    for (const status of [204, 304]) {
      const app = httpOnly(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status });
        await send({ type: 'http.response.body', body: 'ignored' });
      });
      const res = await new TestClient(app).get('/');
      expect([res.status, res.body.length]).toEqual([status, 0]);
    }
  });

  it('cuts a body that does not match the declared content-length, rejecting the send', async () => {
    const outcomes: string[] = [];
    const app = (chunks: string[]) =>
      httpOnly(async (scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200, headers: [['content-length', '4']] });
        try {
          for (const [i, body] of chunks.entries()) {
            await send({ type: 'http.response.body', body, more: i < chunks.length - 1 });
          }
          outcomes.push('sent');
        } catch (error) {
          outcomes.push(
            `${(error as { code?: string }).code}:${scope['pagi.connection'].disconnect_reason()}`,
          );
        }
      });
    const exact = await new TestClient(app(['ab', 'cd'])).get('/');
    expect(exact.text).toBe('abcd');
    const over = await new TestClient(app(['ab', 'cde'])).get('/');
    expect(over.text).toBe('ab');
    await new TestClient(app(['ab', 'c'])).get('/');
    expect(outcomes).toEqual([
      'sent',
      'PAGI_ERR_VALIDATION:server_error',
      'PAGI_ERR_VALIDATION:server_error',
    ]);
  });

  it('drops trailers that HTTP/1.x cannot frame: a 1.0 client, or an app-set content-length', async () => {
    const app = (headers: [string, string][]) =>
      httpOnly(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200, headers, trailers: true });
        await send({ type: 'http.response.body', body: 'data' });
        await send({ type: 'http.response.trailers', headers: [['x-checksum', 'abc']] });
      });
    const old = await new TestClient(app([])).get('/', { httpVersion: '1.0' });
    expect([old.text, old.trailers]).toEqual(['data', []]);
    const sized = await new TestClient(app([['content-length', '4']])).get('/');
    expect([sized.text, sized.trailers]).toEqual(['data', []]);
    expect(sized.connection.response_complete()).toBe(true);
    const h2 = await new TestClient(app([['content-length', '4']])).get('/', { httpVersion: '2' });
    expect(h2.trailers).toEqual([['x-checksum', 'abc']]);
  });

  it('ends declared-but-unsent trailers with an empty list', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, trailers: true });
      await send({ type: 'http.response.body', body: 'x' });
    });
    const res = await new TestClient(app).get('/');
    expect(res.text).toBe('x');
    expect(res.trailers).toEqual([]);
    expect(res.connection.response_complete()).toBe(false);
    expect(res.connection.disconnect_reason()).toBe('server_error');
  });

  it('reads file and fh bodies with offset and length', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pagi-test-'));
    const file = join(dir, 'f.txt');
    await writeFile(file, '0123456789');
    try {
      const fileApp = httpOnly(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', file, offset: 2, length: 3 });
      });
      expect((await new TestClient(fileApp).get('/')).text).toBe('234');
      const handle = await open(file, 'r');
      try {
        const fhApp = httpOnly(async (_scope, _receive, send) => {
          await send({ type: 'http.response.start', status: 200 });
          await send({ type: 'http.response.body', fh: handle, offset: 7 });
        });
        expect((await new TestClient(fhApp).get('/')).text).toBe('789');
        const fdApp = httpOnly(async (_scope, _receive, send) => {
          await send({ type: 'http.response.start', status: 200 });
          await send({ type: 'http.response.body', fh: handle.fd, length: 2 });
        });
        expect((await new TestClient(fdApp).get('/')).text).toBe('01');
      } finally {
        await handle.close();
      }
      const missing = httpOnly(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', file: join(dir, 'nope') });
      });
      await expect(new TestClient(missing).get('/')).rejects.toMatchObject({ code: 'ENOENT' });
      // The failed send wrote nothing, so the response is still open for another body.
      const fallback = httpOnly(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 404 });
        await send({ type: 'http.response.body', file: join(dir, 'nope') }).catch(() => {});
        await send({ type: 'http.response.body', body: 'missing' });
      });
      const res = await new TestClient(fallback).get('/');
      expect([res.status, res.text]).toEqual([404, 'missing']);
      // Field errors still win over the file: body and file together never touch the disk.
      const both = httpOnly(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'x', file: join(dir, 'nope') } as never);
      });
      await expect(new TestClient(both).get('/')).rejects.toMatchObject({ code: 'PAGI_ERR_VALIDATION' });
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('json() names what came when the body is not JSON', async () => {
    const res = await new TestClient(textApp('nope')).get('/');
    expect(() => res.json()).toThrow(/expected a JSON body, got "nope"/);
  });
});
