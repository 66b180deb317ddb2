import type { App, HttpScope } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, type StartedServer, startServer } from '../helpers/start-server.js';
import { h2Connect, h2Request } from './h2-client.js';

// The plain-request path on node:http2's core stream API (src/http2/h2-stream-io.ts): what
// node's compatibility response used to do for the writer has to hold here too.

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

type Send = (e: object) => Promise<void>;
type Receive = () => Promise<{ type: string; body?: Uint8Array; more?: boolean }>;

const app = (async (scope: HttpScope, receive: Receive, send: Send) => {
  switch (scope.path) {
    case '/stream':
      await send({ type: 'http.response.start', status: 200, headers: [['x-a', '1']] });
      await send({ type: 'http.response.body', body: 'hello', more: true });
      await send({ type: 'http.response.body', body: 'world' });
      return;
    case '/204':
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body', body: 'dropped' });
      return;
    case '/fields':
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [
          ['connection', 'close'],
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ],
      });
      await send({ type: 'http.response.body', body: 'ok' });
      return;
    case '/empty-trailers':
      await send({ type: 'http.response.start', status: 200, trailers: true });
      await send({ type: 'http.response.body', body: 'b' });
      await send({ type: 'http.response.trailers', headers: [] });
      return;
    case '/unread':
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'nr' });
      return;
    default: {
      let n = 0;
      for (;;) {
        const event = await receive();
        if (event.type !== 'http.request') break;
        n += event.body!.length;
        if (event.more !== true) break;
      }
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: String(n) });
    }
  }
}) as App;

describe('HTTP/2 plain requests on the stream API', () => {
  it('answers HEAD with the head alone and a 204 without its body', async () => {
    started = await startServer(app, { http2: true });
    const session = await h2Connect(started.url);
    const head = await h2Request(session, { ':path': '/stream', ':method': 'HEAD' });
    const get = await h2Request(session, { ':path': '/stream' });
    const noContent = await h2Request(session, { ':path': '/204' });
    session.close();
    expect([head.status, head.headers['x-a'], head.body.length, head.rstCode]).toEqual([200, '1', 0, 0]);
    expect([get.status, get.body.toString(), get.rstCode]).toEqual([200, 'helloworld', 0]);
    expect([noContent.status, noContent.body.length, noContent.rstCode]).toEqual([204, 0, 0]);
  });

  it('drops connection, keeps repeated fields as separate fields, ends cleanly after empty trailers', async () => {
    started = await startServer(app, { http2: true });
    const session = await h2Connect(started.url);
    const fields = await h2Request(session, { ':path': '/fields' });
    const trailers = await h2Request(session, { ':path': '/empty-trailers' });
    session.close();
    expect(fields.headers.connection).toBeUndefined();
    expect(fields.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(fields.body.toString()).toBe('ok');
    expect([trailers.body.toString(), trailers.rstCode]).toEqual(['b', 0]);
  });

  it('resets the stream when the body falls short of the content-length the app sent', async () => {
    const error = deferred<Error>();
    started = await startServer(
      (async (_scope: HttpScope, _r: Receive, send: Send) => {
        await send({ type: 'http.response.start', status: 200, headers: [['content-length', '10']] });
        await send({ type: 'http.response.body', body: 'short' }).catch((e: Error) => error.resolve(e));
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const res = await h2Request(session, { ':path': '/' });
    session.close();
    expect(res.rstCode).not.toBe(0);
    expect((await error.promise).message).toContain('content-length');
  });

  it('reads a large request body, and answers one the app never reads', async () => {
    started = await startServer(app, { http2: true });
    const session = await h2Connect(started.url);
    const echo = await h2Request(session, { ':path': '/echo', ':method': 'POST' }, Buffer.alloc(200_000, 1));
    const unread = await h2Request(
      session,
      { ':path': '/unread', ':method': 'POST' },
      Buffer.alloc(300_000, 2),
    );
    session.close();
    expect(echo.body.toString()).toBe('200000');
    expect([unread.status, unread.body.toString()]).toEqual([200, 'nr']);
  });

  it('http2IdleTimeout counts PINGs as activity, then closes the connection once it goes quiet', async () => {
    started = await startServer(app, { http2: true, http2IdleTimeout: 1000 });
    const session = await h2Connect(started.url);
    let goaway = false;
    session.on('goaway', () => {
      goaway = true;
    });
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    for (let i = 0; i < 30; i++) {
      session.ping(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(goaway).toBe(false); // 1.5 s of PINGs every 50 ms: never idle for 1 s
    await closed; // then quiet: GOAWAY and close
    expect(goaway).toBe(true);
  });
});
