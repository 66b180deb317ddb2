import type { App, HeaderList, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../src/index.js';

const answering =
  (headers: HeaderList): App =>
  async (scope, receive, send) => {
    if (scope.type === 'http') {
      await send({ type: 'http.response.start', status: 200, headers });
      await send({ type: 'http.response.body', body: 'ok' });
    } else if (scope.type === 'sse') {
      await send({ type: 'sse.start', status: 200, headers });
    } else if (scope.type === 'websocket') {
      await receive();
      await send({ type: 'websocket.accept', headers });
    }
  };
const HTML: HeaderList = [['content-type', 'text/html; charset=utf-8']];
const JSON_: HeaderList = [['content-type', 'application/json']];

describe('securityHeaders', () => {
  it('HTML over https gets every default header', async () => {
    const res = await new TestClient(securityHeaders()(answering(HTML)), { scheme: 'https' }).get('/');
    expect(res.header('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(res.header('x-content-type-options')).toBe('nosniff');
    expect(res.header('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.header('referrer-policy')).toBe('no-referrer');
    expect(res.header('content-security-policy')).toBe(
      "base-uri 'self'; frame-ancestors 'self'; object-src 'none'",
    );
    expect(res.header('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.header('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.header('cross-origin-embedder-policy')).toBeUndefined();
    expect(res.header('permissions-policy')).toBeUndefined();
    expect(res.header('x-xss-protection')).toBeUndefined();
  });

  it('no HSTS over plain http; document headers only on HTML', async () => {
    const res = await new TestClient(securityHeaders()(answering(JSON_))).get('/');
    expect(res.header('strict-transport-security')).toBeUndefined();
    expect(res.header('x-content-type-options')).toBe('nosniff');
    expect(res.header('x-frame-options')).toBeUndefined();
    expect(res.header('content-security-policy')).toBeUndefined();
    expect(res.header('cross-origin-opener-policy')).toBeUndefined();
    expect(res.header('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('decides HTML per response when the content type changes from one response to the next', async () => {
    const mw = securityHeaders();
    for (const [headers, html] of [
      [HTML, true],
      [JSON_, false],
      [HTML, true],
      [[['content-type', 'application/xhtml+xml']], true],
      [[], false],
    ] as const) {
      const res = await new TestClient(mw(answering(headers as HeaderList))).get('/');
      expect(res.header('x-frame-options')).toBe(html ? 'SAMEORIGIN' : undefined);
      expect(res.header('x-content-type-options')).toBe('nosniff');
    }
  });

  it('never duplicates or replaces a header the app set (upstream appended duplicates)', async () => {
    const app = answering([
      ...HTML,
      ['x-frame-options', 'DENY'],
      ['content-security-policy', "default-src 'none'"],
    ]);
    const res = await new TestClient(securityHeaders()(app)).get('/');
    expect(res.headerValues('x-frame-options')).toEqual(['DENY']);
    expect(res.headerValues('content-security-policy')).toEqual(["default-src 'none'"]);
  });

  it("finds the app's header next to one of ours of the same length", async () => {
    // `X-Frame-Options` and `Referrer-Policy` are both 15 characters: ruling names out by length
    // must still compare the names that pass it.
    const app = answering([...HTML, ['referrer-policy', 'origin'], ['x-content-type-options', 'nosniff']]);
    const res = await new TestClient(securityHeaders()(app)).get('/');
    expect(res.headerValues('referrer-policy')).toEqual(['origin']);
    expect(res.headerValues('x-content-type-options')).toEqual(['nosniff']);
    expect(res.headerValues('x-frame-options')).toEqual(['SAMEORIGIN']);
  });

  it('every header is configurable, and false leaves it out', async () => {
    const mw = securityHeaders({
      hsts: 'max-age=60',
      contentTypeOptions: false,
      frameOptions: 'DENY',
      referrerPolicy: 'same-origin',
      contentSecurityPolicy: "default-src 'self'",
      crossOriginOpenerPolicy: false,
      crossOriginResourcePolicy: 'cross-origin',
      crossOriginEmbedderPolicy: 'require-corp',
      permissionsPolicy: 'camera=()',
    });
    const res = await new TestClient(mw(answering(HTML)), { scheme: 'https' }).get('/');
    expect(res.header('strict-transport-security')).toBe('max-age=60');
    expect(res.header('x-content-type-options')).toBeUndefined();
    expect(res.header('x-frame-options')).toBe('DENY');
    expect(res.header('referrer-policy')).toBe('same-origin');
    expect(res.header('content-security-policy')).toBe("default-src 'self'");
    expect(res.header('cross-origin-opener-policy')).toBeUndefined();
    expect(res.header('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.header('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.header('permissions-policy')).toBe('camera=()');
  });

  it('sse.start gets HSTS and the non-document headers (upstream skipped SSE)', async () => {
    const client = new TestClient(securityHeaders()(answering([['content-type', 'text/event-stream']])), {
      scheme: 'https',
    });
    const feed = await client.sse('/');
    expect(feed.header('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(feed.header('x-content-type-options')).toBe('nosniff');
    expect(feed.header('x-frame-options')).toBeUndefined();
    await feed.disconnect();
  });

  it('websocket.accept gets HSTS only, and only on wss', async () => {
    const secure = await new TestClient(securityHeaders()(answering([])), { scheme: 'https' }).websocket('/');
    expect(secure.acceptHeaders).toEqual([
      ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
    ]);
    await secure.close();
    const plain = await new TestClient(securityHeaders()(answering([]))).websocket('/');
    expect(plain.acceptHeaders).toEqual([]);
    await plain.close();
  });

  it('passes lifespan through with the very same scope', async () => {
    let seen: unknown;
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await securityHeaders()(async (s) => {
      seen = s;
    })(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(seen).toBe(scope);
  });

  it('refuses unknown options and unsafe values when called', () => {
    expect(() => securityHeaders({ xFrameOptions: 'DENY' } as never)).toThrow(
      /unknown option 'xFrameOptions'/,
    );
    expect(() => securityHeaders({ frameOptions: 'DENY\r\nx: y' })).toThrow(/CR/);
    expect(() => securityHeaders({ hsts: '' })).toThrow(/non-empty string or false/);
    expect(() => securityHeaders({ hsts: true as never })).toThrow(/hsts/);
  });

  it('names its functions for stack traces', () => {
    expect(securityHeaders().name).toBe('securityHeaders');
    expect(securityHeaders()(answering([])).name).toBe('securityHeaders');
  });
});

describeMiddlewareChecks('securityHeaders: the shared middleware checks of @pagi/test', securityHeaders(), {
  handles: ['http', 'sse', 'websocket'],
});

describe('securityHeaders: the same header list again', () => {
  it('answers a repeated list the same, and a pair the app changed in place anew', async () => {
    const type: [string, string] = ['content-type', 'text/plain'];
    const list: HeaderList = [type];
    const client = new TestClient(securityHeaders()(answering(list)));
    const first = await client.get('/');
    const second = await client.get('/');
    expect(second.headers).toEqual(first.headers);
    expect(second.header('x-frame-options')).toBeUndefined();
    expect(list).toEqual([['content-type', 'text/plain']]);
    // The app's constant list turns into an HTML one: the document headers follow.
    type[1] = 'text/html';
    const html = await client.get('/');
    expect(html.header('content-type')).toBe('text/html');
    expect(html.header('x-frame-options')).toBe('SAMEORIGIN');
    expect(html.headerValues('x-content-type-options')).toEqual(['nosniff']);
  });
});
