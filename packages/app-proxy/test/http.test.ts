/** Over real sockets: undici client → @pagi/server running proxy() → node:http backend. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { type ProxyApp, proxy } from '../src/index.js';
import { type Backend, patternChunk, startBackend } from './backend.js';
import { serve } from './serve.js';

let backend: Backend;
let front: Awaited<ReturnType<typeof serve>>;
let app: ProxyApp;
const errors: unknown[] = [];

beforeAll(async () => {
  backend = await startBackend();
  app = proxy({ target: `${backend.url}/`, onError: (e) => errors.push(e) });
  front = await serve(app);
});
afterAll(async () => {
  await front.close();
  await app.close();
  await backend.close();
});

const echo = async (path: string, init: Parameters<typeof request>[1] = {}) => {
  const res = await request(`${front.url}${path}`, init);
  return {
    status: res.statusCode,
    headers: res.headers,
    json: (await res.body.json()) as Record<string, unknown>,
  };
};
function nodeGet(url: string, options: RequestOptions): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end();
  });
}
const header = (json: Record<string, unknown>, name: string) =>
  (json.headers as [string, string][]).filter((h) => h[0] === name).map((h) => h[1]);

describe('proxy over real sockets', () => {
  it('forwards method, path and query exactly, and streams a 5 MiB request body intact', async () => {
    const chunks = 80;
    async function* upload() {
      for (let i = 0; i < chunks; i++) yield patternChunk(i);
    }
    const hash = createHash('sha256');
    for (let i = 0; i < chunks; i++) hash.update(patternChunk(i));
    const res = await echo('/echo/a%2Fb?x=1&y=%20', { method: 'PUT', body: Readable.from(upload()) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      method: 'PUT',
      url: '/echo/a%2Fb?x=1&y=%20',
      length: chunks * 65536,
      sha256: hash.digest('hex'),
    });
  });

  it('removes hop-by-hop request headers, including those Connection names (RFC 9110 §7.6.1)', async () => {
    // node:http, not undici: undici refuses to send most of these fields at all.
    const json = await nodeGet(`${front.url}/echo`, {
      headers: {
        connection: 'keep-alive, x-secret',
        'x-secret': 'hop',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-connection': 'keep-alive',
        'x-end': 'kept',
      },
    });
    const names = (json.headers as [string, string][]).map((h) => h[0]);
    for (const hop of ['x-secret', 'te', 'proxy-connection', 'upgrade', 'trailer'])
      expect(names).not.toContain(hop);
    expect(header(json, 'keep-alive')).toEqual([]);
    expect(header(json, 'x-end')).toEqual(['kept']);
  });

  it('removes hop-by-hop response headers and keeps repeated Set-Cookie', async () => {
    const res = await request(`${front.url}/hop`);
    expect(await res.body.text()).toBe('hop');
    expect(res.headers['x-internal']).toBeUndefined();
    expect(res.headers['proxy-connection']).toBeUndefined();
    expect(res.headers.upgrade).toBeUndefined();
    expect(res.headers.trailer).toBeUndefined();
    expect(res.headers['x-kept']).toBe('yes');
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
  });

  it('adds Forwarded and X-Forwarded-*, appending to what the client sent; Host is rewritten', async () => {
    const { json } = await echo('/echo', {
      headers: {
        host: 'public.example:8443',
        'x-forwarded-for': '203.0.113.9',
        forwarded: 'for=203.0.113.9',
        'x-forwarded-proto': 'https',
      },
    });
    expect(header(json, 'host')).toEqual([`127.0.0.1:${backend.port}`]);
    expect(header(json, 'x-forwarded-for')).toEqual(['203.0.113.9, 127.0.0.1']);
    expect(header(json, 'forwarded')).toEqual([
      'for=203.0.113.9, for=127.0.0.1;host="public.example:8443";proto=http',
    ]);
    expect(header(json, 'x-forwarded-proto')).toEqual(['http']);
    expect(header(json, 'x-forwarded-host')).toEqual(['public.example:8443']);
  });

  it('host: preserve keeps the client Host; forwardedHeaders: false adds nothing', async () => {
    const other = proxy({ target: backend.url, host: 'preserve', forwardedHeaders: false });
    const s = await serve(other);
    try {
      const res = await request(`${s.url}/echo`, {
        headers: { host: 'public.example', 'x-forwarded-for': '1.2.3.4' },
      });
      const json = (await res.body.json()) as Record<string, unknown>;
      expect(header(json, 'host')).toEqual(['public.example']);
      expect(header(json, 'x-forwarded-for')).toEqual(['1.2.3.4']);
      expect(header(json, 'forwarded')).toEqual([]);
    } finally {
      await s.close();
      await other.close();
    }
  });

  it('HEAD: the backend headers (content-length included) with no body, and the next request still works', async () => {
    const res = await request(`${front.url}/status?code=200`, { method: 'HEAD' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('10');
    expect(await res.body.text()).toBe('');
    const next = await request(`${front.url}/status?code=200`);
    expect(await next.body.text()).toBe('status 200');
  });

  it('passes the backend status and body through (404, 500, 204)', async () => {
    for (const code of [404, 500, 204]) {
      const res = await request(`${front.url}/status?code=${code}`);
      expect(res.statusCode).toBe(code);
      expect(await res.body.text()).toBe(code === 204 ? '' : `status ${code}`);
    }
  });

  it('a base path on the target prefixes the request path', async () => {
    const based = proxy({ target: `${backend.url}/base/` });
    const s = await serve(based);
    try {
      const res = await request(`${s.url}/echo`);
      await res.body.dump();
      expect(backend.seen.at(-1)!.url).toBe('/base/echo');
    } finally {
      await s.close();
      await based.close();
    }
  });
});
