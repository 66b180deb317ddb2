import { constants } from 'node:http2';
import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, type StartedServer, startServer } from '../helpers/start-server.js';
import { collect, h2Connect } from './h2-client.js';

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

describe('SSE over HTTP/2', () => {
  it('streams events as DATA frames, sse.close ends the stream, the connection carries on', async () => {
    const app: App = async (scope, receive, send) => {
      if (scope.type === 'sse') {
        await receive();
        await send({ type: 'sse.start', status: 200, headers: [] });
        await send({ type: 'sse.send', data: 'one' });
        await send({ type: 'sse.send', data: 'two', event: 'tick' });
        await send({ type: 'sse.close' });
        return;
      }
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: `after ${scope.http_version}` });
    };
    started = await startServer(app, { http2: true });
    const session = await h2Connect(started.url);
    const res = await collect(session.request({ ':path': '/events', accept: 'text/event-stream' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.rstCode).toBe(0);
    expect(res.body.toString()).toBe('data: one\n\nevent: tick\ndata: two\n\n');
    const next = await collect(session.request({ ':path': '/' }));
    session.close();
    expect(next.body.toString()).toBe('after 2');
  });

  it('a client reset with an error code (the stream emits error) is a disconnect, not a crash', async () => {
    // node emits 'error' on the server stream for RST_STREAM codes other than NO_ERROR/CANCEL;
    // the SSE session's error listener runs on the stream (regression: it threw a TypeError).
    const reason = deferred<string>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'sse') return;
      await receive();
      await send({ type: 'sse.start', status: 200, headers: [] });
      await send({ type: 'sse.send', data: 'one' });
      const event = (await receive()) as { type: string };
      reason.resolve(event.type);
    };
    started = await startServer(app, { http2: true });
    const session = await h2Connect(started.url);
    const stream = session.request({ ':path': '/events', accept: 'text/event-stream' });
    stream.on('error', () => {}); // the client's own stream reports the code it reset with
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    expect(await reason.promise).toBe('sse.disconnect');
    session.close();
  });

  it('sends keepalive comments and tells the app when the client resets the stream', async () => {
    const reason = deferred<string>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'sse') return;
      await receive();
      await send({ type: 'sse.start', status: 200, headers: [] });
      const event = (await receive()) as { type: string; reason?: string };
      reason.resolve(`${event.type} ${event.reason}`);
    };
    started = await startServer(app, { http2: true, sseKeepaliveInterval: 50 });
    const session = await h2Connect(started.url);
    const stream = session.request({ ':path': '/events', accept: 'text/event-stream' });
    let text = '';
    const gotKeepalive = new Promise<void>((resolve) =>
      stream.on('data', (c: Buffer) => {
        text += c;
        if (text.includes(':')) resolve();
      }),
    );
    await gotKeepalive;
    stream.close(constants.NGHTTP2_CANCEL);
    expect(await reason.promise).toBe('sse.disconnect client_closed');
    session.close();
  });

  it('ends an idle stream (sseIdleTimeout) without closing the connection', async () => {
    const app: App = async (scope, receive, send) => {
      if (scope.type === 'sse') {
        await receive();
        await send({ type: 'sse.start', status: 200, headers: [] });
        await receive();
        return;
      }
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: 'still here' });
    };
    started = await startServer(app, { http2: true, sseIdleTimeout: 200 });
    const session = await h2Connect(started.url);
    const res = await collect(session.request({ ':path': '/events', accept: 'text/event-stream' }));
    expect(res.status).toBe(200);
    const next = await collect(session.request({ ':path': '/' }));
    session.close();
    expect(next.body.toString()).toBe('still here');
  });
});
