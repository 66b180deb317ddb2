/** Real Koa and Connect apps through fromNodeHandler under @pagi/server, over real sockets. */
import { Readable } from 'node:stream';
import connect from 'connect';
import Koa from 'koa';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fromNodeHandler } from '../src/index.js';
import { recordingLogger, serve } from './support/serve.js';

async function readBody(req: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const part of req) text += String(part);
  return text;
}

describe('Koa (app.callback())', () => {
  let base = '';
  let close: () => Promise<void>;
  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      if (ctx.path === '/') ctx.body = 'koa home';
      else if (ctx.path === '/json' && ctx.method === 'POST') {
        ctx.status = 201;
        ctx.body = { got: JSON.parse(await readBody(ctx.req)) };
      } else if (ctx.path === '/form' && ctx.method === 'POST') {
        ctx.body = Object.fromEntries(new URLSearchParams(await readBody(ctx.req)));
      } else if (ctx.path === '/stream') {
        ctx.type = 'text/plain';
        ctx.body = Readable.from(['a', 'b', 'c']);
      } else if (ctx.path === '/cookie') {
        ctx.cookies.set('k', 'v', { signed: false });
        ctx.body = ctx.get('cookie');
      } else if (ctx.path === '/old') {
        ctx.redirect('/new');
      } else if (ctx.path === '/fail') {
        throw new Error('koa failed');
      } else await next();
    });
    const served = await serve(fromNodeHandler(app.callback(), { logger: recordingLogger().logger }));
    base = served.url;
    close = served.close;
  });
  afterAll(() => close());

  test('routing, JSON and form bodies', async () => {
    expect(await (await request(`${base}/`)).body.text()).toBe('koa home');
    const json = await request(`${base}/json`, { method: 'POST', body: '{"n":1}' });
    expect(json.statusCode).toBe(201);
    expect(await json.body.json()).toEqual({ got: { n: 1 } });
    const form = await request(`${base}/form`, { method: 'POST', body: 'a=1&b=two' });
    expect(await form.body.json()).toEqual({ a: '1', b: 'two' });
  });

  test('streamed body, cookies, redirect', async () => {
    expect(await (await request(`${base}/stream`)).body.text()).toBe('abc');
    const cookie = await request(`${base}/cookie`, { headers: { cookie: 'x=1' } });
    expect(cookie.headers['set-cookie']).toMatch(/^k=v; path=\/; httponly/);
    expect(await cookie.body.text()).toBe('x=1');
    const redirect = await request(`${base}/old`);
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe('/new');
    await redirect.body.dump();
  });

  test('errors and 404s are Koa’s own', async () => {
    const failed = await request(`${base}/fail`);
    expect(failed.statusCode).toBe(500);
    await failed.body.dump();
    const missing = await request(`${base}/missing`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });
});

describe('Connect', () => {
  let base = '';
  let close: () => Promise<void>;
  const log = recordingLogger();
  beforeAll(async () => {
    const app = connect();
    app.use('/api', (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ url: req.url }));
    });
    app.use('/echo', async (req, res) => {
      res.end(await readBody(req));
    });
    app.use('/boom', () => {
      throw new Error('connect middleware failed');
    });
    const served = await serve(fromNodeHandler(app, { logger: log.logger }));
    base = served.url;
    close = served.close;
  });
  afterAll(() => close());

  test('mounted middleware sees the url relative to its mount; bodies stream in', async () => {
    expect(await (await request(`${base}/api/items?x=1`)).body.json()).toEqual({ url: '/items?x=1' });
    expect(await (await request(`${base}/echo`, { method: 'POST', body: 'hello connect' })).body.text()).toBe(
      'hello connect',
    );
  });

  test('a throwing middleware is Connect’s 500; unknown paths its 404', async () => {
    const failed = await request(`${base}/boom`);
    expect(failed.statusCode).toBe(500);
    await failed.body.dump();
    const missing = await request(`${base}/nothing`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });
});
