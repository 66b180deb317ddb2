import { PagiValidationError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { notFound } from '../src/index.js';

describe('notFound: HTTP', () => {
  it('answers 404 Not Found as plain text by default', async () => {
    const res = await new TestClient(notFound()).get('/nope');
    expect(res.status).toBe(404);
    expect(res.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.header('content-length')).toBe('9');
    expect(res.text).toBe('Not Found');
  });

  it('status, body, content type and headers are configurable; the default body follows the status', async () => {
    const gone = await new TestClient(notFound({ status: 410 })).get('/');
    expect([gone.status, gone.text]).toEqual([410, 'Gone']);
    const app = notFound({
      status: 451,
      body: '{"error":"legal"}',
      contentType: 'application/json',
      headers: { 'cache-control': 'no-store' },
    });
    const res = await new TestClient(app).get('/');
    expect(res.status).toBe(451);
    expect(res.json()).toEqual({ error: 'legal' });
    expect(res.header('content-type')).toBe('application/json');
    expect(res.header('cache-control')).toBe('no-store');
  });

  it('{path} in an HTML body is HTML-escaped (no XSS from the request path)', async () => {
    const app = notFound({ body: '<p>No page at {path}</p>', contentType: 'text/html; charset=utf-8' });
    const res = await new TestClient(app).get('/<script>alert("x")</script>');
    expect(res.text).toBe('<p>No page at /&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
  });

  it('{path} in a text body is kept as is; `$&` in a path is not a replacement pattern', async () => {
    const res = await new TestClient(notFound({ body: 'no {path} here' })).get('/a$&b');
    expect(res.text).toBe('no /a$&b here');
  });

  it('a body function gets the scope (sync or async) and its result is sent as is', async () => {
    const app = notFound({ body: async (scope) => `missing: ${scope.type} ${scope.path}` });
    expect((await new TestClient(app).get('/x')).text).toBe('missing: http /x');
    const bytes = notFound({ body: new Uint8Array([104, 105]) });
    expect((await new TestClient(bytes).get('/')).text).toBe('hi');
  });

  it('HEAD gets the status and headers without a body', async () => {
    const res = await new TestClient(notFound()).head('/');
    expect(res.status).toBe(404);
    expect(res.body.byteLength).toBe(0);
  });
});

describe('notFound: other scopes', () => {
  it('WebSocket: a denial with the status (the server answers 403 without the extension)', async () => {
    const ws = await new TestClient(notFound({ status: 410 })).websocket('/ws');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(410);
    const sent: unknown[] = [];
    const scope = { type: 'websocket', path: '/', root_path: '', headers: [], extensions: {} };
    await notFound()(
      scope as never,
      async () => ({ type: 'websocket.connect' }) as never,
      async (e) => {
        sent.push(e);
      },
    );
    expect(sent).toEqual([{ type: 'websocket.close' }]);
  });

  it('SSE: declined with the status and body', async () => {
    const sse = await new TestClient(notFound()).sse('/events');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(404);
    expect(Buffer.from(sse.body ?? new Uint8Array()).toString()).toBe('Not Found');
  });

  it('lifespan is declined without a crash', async () => {
    await expect(new TestClient(notFound()).startup()).resolves.toBeUndefined();
  });
});

describe('notFound: options', () => {
  it.each([
    [{ status: 200 }, 'status'],
    [{ status: 600 }, 'status'],
    [{ status: '404' }, 'status'],
    [{ body: 42 }, 'body'],
    [{ contentType: 'text/html\r\nx-evil: 1' }, 'contentType'],
    [{ headers: { 'x-a': 'ok\r\nset-cookie: evil=1' } }, 'notFound()'],
    [{ headers: { 'bad name': 'x' } }, 'notFound()'],
    [{ statusCode: 404 }, "unknown option 'statusCode'"],
  ])('%j is refused at factory time', (options, message) => {
    expect(() => notFound(options as never)).toThrow(PagiValidationError);
    expect(() => notFound(options as never)).toThrow(message);
  });
});
