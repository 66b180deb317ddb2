import { mkdtempSync, writeFileSync } from 'node:fs';
import { constants } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, DisconnectReason, HttpScope } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, type StartedServer, startServer } from '../helpers/start-server.js';
import { collect, h2Connect, h2Request } from './h2-client.js';

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

type Send = (e: object) => Promise<void>;
type Receive = () => Promise<{ type: string; body?: Uint8Array; more?: boolean }>;

describe('HTTP/2 responses: the same send order and bodies as HTTP/1.1', () => {
  it('streams a body, sends trailers after it, and supports http.fullflush', async () => {
    started = await startServer(
      (async (_scope: HttpScope, _r: Receive, send: Send) => {
        await send({ type: 'http.response.start', status: 200, headers: [['x-a', '1']], trailers: true });
        await send({ type: 'http.fullflush' });
        await send({ type: 'http.response.body', body: 'one,', more: true });
        await send({ type: 'http.response.body', body: 'two' });
        await send({ type: 'http.response.trailers', headers: [['x-checksum', 'abc']] });
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const res = await h2Request(session, { ':path': '/' });
    session.close();
    expect(res.status).toBe(200);
    expect(res.headers['x-a']).toBe('1');
    expect(res.body.toString()).toBe('one,two');
    expect(res.trailers?.['x-checksum']).toBe('abc');
    expect(res.rstCode).toBe(0);
  });

  it('refuses an event out of order with the shared send-order error', async () => {
    const error = deferred<Error>();
    started = await startServer(
      (async (_scope: HttpScope, _r: Receive, send: Send) => {
        await send({ type: 'http.response.body', body: 'x' }).catch((e: Error) => error.resolve(e));
        await send({ type: 'http.response.start', status: 204 });
        await send({ type: 'http.response.body' });
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const res = await h2Request(session, { ':path': '/' });
    session.close();
    expect(res.status).toBe(204);
    expect((await error.promise).name).toBe('PagiStateError');
  });

  it('sends a file body with offset and length and a content-length', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagi-h2-file-'));
    const path = join(dir, 'data.bin');
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    writeFileSync(path, data);
    started = await startServer(
      (async (scope: HttpScope, _r: Receive, send: Send) => {
        await send({ type: 'http.response.start', status: 200, headers: [] });
        if (scope.path === '/part')
          await send({ type: 'http.response.body', file: path, offset: 1000, length: 200_000 });
        else await send({ type: 'http.response.body', file: path });
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const whole = await h2Request(session, { ':path': '/' });
    const part = await h2Request(session, { ':path': '/part' });
    session.close();
    expect(whole.headers['content-length']).toBe(String(data.length));
    expect(whole.body.equals(data)).toBe(true);
    expect(part.headers['content-length']).toBe('200000');
    expect(part.body.equals(data.subarray(1000, 201_000))).toBe(true);
  });

  it('await send() waits for the stream: a client that does not read holds the app back', async () => {
    let sent = 0;
    const total = 400; // 400 × 64 KiB = 25 MiB
    const finished = deferred();
    started = await startServer(
      (async (_scope: HttpScope, _r: Receive, send: Send) => {
        await send({ type: 'http.response.start', status: 200, headers: [] });
        const chunk = Buffer.alloc(64 * 1024, 97);
        for (let i = 0; i < total; i++) {
          await send({ type: 'http.response.body', body: chunk, more: true });
          sent++;
        }
        await send({ type: 'http.response.body' });
        finished.resolve();
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const stream = session.request({ ':path': '/' });
    stream.pause();
    await new Promise((resolve) => stream.once('response', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Without backpressure 25 MiB would all be queued by now; with it the app waits on the
    // stream's flow-control window (64 KiB) plus the stream's queue (writeHighWaterMark).
    expect(sent).toBeLessThan(total / 4);
    let received = 0;
    stream.on('data', (c: Buffer) => {
      received += c.length;
    });
    stream.resume();
    await finished.promise;
    await new Promise((resolve) => stream.once('end', resolve));
    session.close();
    expect(received).toBe(total * 64 * 1024);
  });

  it('resets the stream with INTERNAL_ERROR when the app fails after the response started (D-12)', async () => {
    started = await startServer(
      (async (_scope: HttpScope, _r: Receive, send: Send) => {
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: 'partial', more: true });
        throw new Error('boom');
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const res = await h2Request(session, { ':path': '/' });
    // The connection survives: the next stream on it is served.
    const again = await h2Request(session, { ':path': '/' });
    session.close();
    expect(res.rstCode).toBe(constants.NGHTTP2_INTERNAL_ERROR);
    expect(again.rstCode).toBe(constants.NGHTTP2_INTERNAL_ERROR);
  });

  it('answers 500 when the app fails before starting the response', async () => {
    started = await startServer(
      (async () => {
        throw new Error('boom');
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const res = await h2Request(session, { ':path': '/' });
    session.close();
    expect(res.status).toBe(500);
    expect(res.body.toString()).toBe('Internal Server Error\n');
  });
});

describe('HTTP/2 request bodies and disconnects', () => {
  it('streams a request body into receive()', async () => {
    started = await startServer(
      (async (_scope: HttpScope, receive: Receive, send: Send) => {
        let total = 0;
        let more = true;
        while (more) {
          const event = await receive();
          if (event.type !== 'http.request') break;
          total += event.body!.length;
          more = event.more!;
        }
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: String(total) });
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const res = await h2Request(session, { ':path': '/', ':method': 'POST' }, Buffer.alloc(1_000_000, 1));
    const declared = await h2Request(
      session,
      { ':path': '/', ':method': 'POST', 'content-length': '5' },
      'hello',
    );
    session.close();
    expect(res.body.toString()).toBe('1000000');
    expect(declared.body.toString()).toBe('5');
  });

  it('answers expect: 100-continue only when the app asks for the body', async () => {
    started = await startServer(
      (async (_scope: HttpScope, receive: Receive, send: Send) => {
        const event = await receive();
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: Buffer.from(event.body ?? []) });
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const stream = session.request(
      { ':path': '/', ':method': 'POST', expect: '100-continue', 'content-length': '2' },
      { endStream: false },
    );
    const done = collect(stream);
    await new Promise((resolve) => stream.once('continue', resolve));
    stream.end('ok');
    const res = await done;
    session.close();
    expect(res.body.toString()).toBe('ok');
  });

  it('refuses a declared body over maxBodySize with 413 before the app runs, and one that grows over it on arrival', async () => {
    let calls = 0;
    started = await startServer(
      (async (_scope: HttpScope, receive: Receive, send: Send) => {
        calls++;
        for (;;) {
          const event = await receive();
          if (event.type !== 'http.request' || !event.more) break;
        }
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: 'ok' });
      }) as App,
      { http2: true, maxBodySize: 1000 },
    );
    const session = await h2Connect(started.url);
    const declared = await h2Request(
      session,
      { ':path': '/', ':method': 'POST', 'content-length': '5000' },
      Buffer.alloc(5000),
    );
    expect(declared.status).toBe(413);
    expect(calls).toBe(0);
    const grown = await h2Request(session, { ':path': '/', ':method': 'POST' }, Buffer.alloc(5000));
    session.close();
    expect(grown.status).toBe(413);
    expect(calls).toBe(1);
  });

  // INTERNAL_ERROR: node emits a stream error for it (ERR_HTTP2_STREAM_ERROR), which would throw
  // without the server's 'error' listener (src/http2/stream-listener.ts); CANCEL emits none.
  it.each([
    ['CANCEL', constants.NGHTTP2_CANCEL],
    ['INTERNAL_ERROR', constants.NGHTTP2_INTERNAL_ERROR],
  ])('marks the stream disconnected (client_closed) when the client resets it (%s)', async (_name, code) => {
    const reason = deferred<DisconnectReason>();
    const receiveSaw = deferred<string>();
    const inApp = deferred();
    started = await startServer(
      (async (scope: HttpScope, receive: Receive, send: Send) => {
        await send({ type: 'http.response.start', status: 200, headers: [] });
        if (scope.path === '/after') return send({ type: 'http.response.body', body: 'ok' });
        await send({ type: 'http.response.body', body: 'start', more: true });
        inApp.resolve();
        const conn = scope['pagi.connection'] as unknown as {
          disconnect_future(): Promise<DisconnectReason>;
          is_connected(): boolean;
        };
        void conn.disconnect_future().then(reason.resolve);
        receiveSaw.resolve((await receive()).type);
        expect(conn.is_connected()).toBe(false);
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const stream = session.request({ ':path': '/', ':method': 'POST' }, { endStream: false });
    const done = collect(stream);
    await inApp.promise;
    stream.close(code);
    await done;
    expect(await reason.promise).toBe('client_closed');
    expect(await receiveSaw.promise).toBe('http.disconnect');
    // The server carries on (a stream error nobody listened for would have thrown in it).
    expect((await h2Request(session, { ':path': '/after' })).body.toString()).toBe('ok');
    session.close();
  });

  it('completes a delivered response (on_complete, not client_closed) for HEAD and after a body read to its end', async () => {
    // node emits no 'finish' on these streams: they close before their shutdown completes.
    const outcomes = new Map<string, ReturnType<typeof deferred<string>>>();
    for (const key of ['GET', 'HEAD', 'POST']) outcomes.set(key, deferred<string>());
    started = await startServer(
      (async (scope: HttpScope, receive: Receive, send: Send) => {
        const outcome = outcomes.get(scope.method)!;
        const conn = scope['pagi.connection'] as unknown as {
          on_complete(cb: () => void): void;
          on_disconnect(cb: (reason: DisconnectReason) => void): void;
        };
        conn.on_complete(() => outcome.resolve('complete'));
        conn.on_disconnect((reason) => outcome.resolve(`disconnect ${reason}`));
        if (scope.method === 'POST') while ((await receive()).more === true);
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: 'ok' });
      }) as App,
      { http2: true },
    );
    const session = await h2Connect(started.url);
    const get = await h2Request(session, { ':path': '/' });
    const head = await h2Request(session, { ':path': '/', ':method': 'HEAD' });
    const post = await h2Request(session, { ':path': '/', ':method': 'POST' }, Buffer.from('body'));
    expect([get.status, head.status, post.status]).toEqual([200, 200, 200]);
    expect(await outcomes.get('GET')!.promise).toBe('complete');
    expect(await outcomes.get('HEAD')!.promise).toBe('complete');
    expect(await outcomes.get('POST')!.promise).toBe('complete');
    session.close();
  });

  it('writes access-log lines with HTTP/2', async () => {
    const lines: string[] = [];
    const { Writable } = await import('node:stream');
    started = await startServer(
      (async (_scope: HttpScope, _r: Receive, send: Send) => {
        await send({ type: 'http.response.start', status: 201, headers: [] });
        await send({ type: 'http.response.body', body: 'abc' });
      }) as App,
      {
        http2: true,
        accessLog: 'common',
        accessLogStream: new Writable({
          write(chunk, _e, cb) {
            lines.push(String(chunk));
            cb();
          },
        }),
      },
    );
    const session = await h2Connect(started.url);
    await h2Request(session, { ':path': '/logged?q=1' });
    session.close();
    expect(lines.join('')).toMatch(/"GET \/logged\?q=1 HTTP\/2" 201 3/);
  });
});

describe('HTTP/2 graceful stop', () => {
  it('sends GOAWAY, lets the running stream finish, then closes', async () => {
    const inApp = deferred();
    const release = deferred();
    started = await startServer(
      (async (_scope: HttpScope, _r: Receive, send: Send) => {
        inApp.resolve();
        await release.promise;
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: 'finished' });
      }) as App,
      { http2: true, shutdownTimeout: 10_000 },
    );
    const session = await h2Connect(started.url);
    const goaway = new Promise((resolve) => session.once('goaway', resolve));
    const pending = h2Request(session, { ':path': '/' });
    await inApp.promise;
    const closing = started.close();
    await goaway;
    release.resolve();
    const res = await pending;
    await closing;
    expect(res.body.toString()).toBe('finished');
    expect(started.server.cutOnShutdown).toBe(0);
    started = undefined;
  });
});
