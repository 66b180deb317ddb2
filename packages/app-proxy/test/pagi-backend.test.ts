/** @pagi/server on both sides: HTTP, SSE and WebSocket from a PAGI backend through the proxy. */
import { once } from 'node:events';
import type { App } from '@pagi/spec';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ProxyApp, proxy } from '../src/index.js';
import { serve } from './serve.js';

const backendApp: App = async (scope, receive, send) => {
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: `hello ${scope.path}?${scope.query_string}` });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start' });
    for (let i = 1; i <= 3; i++)
      await send({ type: 'sse.send', event: 'n', data: `event ${i}\nline 2`, id: String(i) });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
    for (;;) {
      const event = await receive();
      if (event.type !== 'websocket.receive') return;
      if (event.text === 'bye') return send({ type: 'websocket.close', code: 4100, reason: 'pagi bye' });
      await send(
        event.text !== undefined
          ? { type: 'websocket.send', text: `echo ${event.text}` }
          : { type: 'websocket.send', bytes: event.bytes },
      );
    }
  }
};

let backend: Awaited<ReturnType<typeof serve>>;
let front: Awaited<ReturnType<typeof serve>>;
let app: ProxyApp;
beforeAll(async () => {
  backend = await serve(backendApp);
  app = proxy({ target: backend.url });
  front = await serve(app);
});
afterAll(async () => {
  await front.close();
  await app.close();
  await backend.close();
});

it('HTTP', async () => {
  const res = await request(`${front.url}/a/b?c=d`);
  expect(await res.body.text()).toBe('hello /a/b?c=d');
});

it('SSE: the events arrive as the backend sent them', async () => {
  const res = await request(`${front.url}/events`, { headers: { accept: 'text/event-stream' } });
  expect(res.headers['content-type']).toBe('text/event-stream');
  const text = await res.body.text();
  expect(text).toBe([1, 2, 3].map((i) => `event: n\ndata: event ${i}\ndata: line 2\nid: ${i}\n\n`).join(''));
});

it('WebSocket: text, binary and the close code', async () => {
  const ws = new WebSocket(`${front.url.replace('http', 'ws')}/ws`);
  await once(ws, 'open');
  ws.send('hi');
  const [text] = await once(ws, 'message');
  expect(String(text)).toBe('echo hi');
  ws.send(Buffer.from([9, 8, 7]));
  const [bytes, isBinary] = await once(ws, 'message');
  expect(isBinary).toBe(true);
  expect([...(bytes as Buffer)]).toEqual([9, 8, 7]);
  const closed = once(ws, 'close');
  ws.send('bye');
  const [code, reason] = await closed;
  expect(code).toBe(4100);
  expect(String(reason)).toBe('pagi bye');
});
