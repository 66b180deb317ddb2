import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { debug } from '../src/index.js';

function page(html: string, type = 'text/html; charset=utf-8', extra: [string, string][] = []): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [['content-type', type], ['content-length', String(Buffer.byteLength(html))], ...extra],
    });
    await send({ type: 'http.response.body', body: html });
  };
}

const HTML = '<html><body><p>hi</p></BODY></html>';
const on = () => debug({ enabled: true });

afterEach(() => vi.unstubAllEnvs());

describe('debug', () => {
  it('puts the panel before </body> (any case), fixes content-length, drops a stale etag', async () => {
    const res = await new TestClient(on()(page(HTML, 'text/html', [['etag', '"v1"']]))).get('/x?y=1');
    expect(res.status).toBe(200);
    const at = res.text.indexOf('<div id="pagi-debug"');
    expect(at).toBeGreaterThan(res.text.indexOf('<p>hi</p>'));
    expect(at).toBeLessThan(res.text.indexOf('</BODY>'));
    expect(res.text).toContain('GET /x?y=1 → 200');
    expect(res.header('content-length')).toBe(String(Buffer.byteLength(res.text)));
    expect(res.header('etag')).toBeUndefined();
  });

  it('appends the panel when there is no </body>', async () => {
    const res = await new TestClient(on()(page('<p>fragment</p>'))).get('/');
    expect(res.text.startsWith('<p>fragment</p>\n<div id="pagi-debug"')).toBe(true);
  });

  it('escapes request data and redacts credentials (XSS, leaks)', async () => {
    const res = await new TestClient(on()(page(HTML))).get('/', {
      headers: { 'x-evil': '<script>alert(1)</script>', cookie: 'sid=secret', authorization: 'Bearer tok' },
    });
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('sid=secret');
    expect(res.text).not.toContain('Bearer tok');
    expect(res.text).toContain('[redacted]');
  });

  it('shows only what the show* options ask for', async () => {
    const res = await new TestClient(
      debug({ enabled: true, showScope: false, showHeaders: false, showTiming: false })(page(HTML)),
    ).get('/', { headers: { 'x-marker': 'm1' } });
    expect(res.text).toContain('pagi-debug');
    expect(res.text).not.toContain('Scope');
    expect(res.text).not.toContain('m1');
    expect(res.text).not.toMatch(/ in \d/);
    const redacted = await new TestClient(debug({ enabled: true, redact: ['x-marker'] })(page(HTML))).get(
      '/',
      {
        headers: { 'x-marker': 'm2', cookie: 'shown=1' },
      },
    );
    expect(redacted.text).not.toContain('m2');
    expect(redacted.text).toContain('shown=1');
  });

  it('is off unless enabled: true — the response is untouched', async () => {
    for (const mw of [debug(), debug({ enabled: false })]) {
      const res = await new TestClient(mw(page(HTML))).get('/');
      expect(res.text).toBe(HTML);
    }
  });

  it('refuses to be enabled under NODE_ENV=production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => debug({ enabled: true })).toThrow(/NODE_ENV=production/);
    expect(() => debug()).not.toThrow();
  });

  it('never holds a streamed non-HTML body: each chunk reaches the client before the next is made', async () => {
    const seenBefore: number[] = [];
    let delivered = 0;
    const stream: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [['content-type', 'application/json']],
      });
      for (let i = 0; i < 3; i++) {
        seenBefore.push(delivered);
        await send({ type: 'http.response.body', body: `${i}`, more: true });
      }
      await send({ type: 'http.response.body', body: '' });
    };
    const counting =
      (app: App): App =>
      async (scope, receive, send) =>
        app(scope, receive, async (event) => {
          if ((event as { type: string }).type === 'http.response.body') delivered++;
          await send(event);
        });
    const res = await new TestClient(counting(on()(stream))).get('/');
    expect(res.text).toBe('012');
    expect(seenBefore).toEqual([0, 1, 2]);
  });

  it('leaves HTML above the limit untouched, streamed as sent', async () => {
    const big = `<html><body>${'x'.repeat(2000)}</body></html>`;
    const res = await new TestClient(debug({ enabled: true, limit: 1000 })(page(big))).get('/');
    expect(res.text).toBe(big);
  });

  it('leaves compressed, non-UTF-8, HEAD and file-body HTML untouched', async () => {
    const gz = await new TestClient(on()(page(HTML, 'text/html', [['content-encoding', 'gzip']]))).get('/');
    expect(gz.text).toBe(HTML);
    const latin = await new TestClient(on()(page(HTML, 'text/html; charset=iso-8859-1'))).get('/');
    expect(latin.text).toBe(HTML);
    const head = await new TestClient(on()(page(HTML))).head('/');
    expect(head.header('content-length')).toBe(String(HTML.length));
    const dir = await mkdtemp(join(tmpdir(), 'pagi-debug-'));
    try {
      const file = join(dir, 'p.html');
      await writeFile(file, HTML);
      const fromFile: App = async (scope, _receive, send) => {
        if (scope.type !== 'http') return;
        await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/html']] });
        await send({ type: 'http.response.body', file });
      };
      expect((await new TestClient(on()(fromFile)).get('/')).text).toBe(HTML);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the status of an HTML error page', async () => {
    const notFound: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 404, headers: [['content-type', 'text/html']] });
      await send({ type: 'http.response.body', body: '<body>nope</body>' });
    };
    const res = await new TestClient(on()(notFound)).get('/');
    expect(res.status).toBe(404);
    expect(res.text).toContain('→ 404');
  });

  it('refuses unknown options and bad values when applied', () => {
    expect(() => debug({ enable: true } as never)).toThrow(/unknown option 'enable'/);
    expect(() => debug({ enabled: true, limit: -1 })).toThrow(/limit/);
    expect(() => debug({ redact: 'cookie' as never })).toThrow(/redact/);
  });

  it('names its functions for stack traces', () => {
    expect(on().name).toBe('debug');
    expect(on()(page(HTML)).name).toBe('debug');
  });
});

describeMiddlewareChecks('debug: the shared middleware checks of @pagi/test', debug({ enabled: true }));
