import type { App, DisconnectReason, HttpScope, ReceiveEvent } from '@pagi/spec';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCerts } from '../fixtures/tls/make-certs.js';
import { requestSteadily } from '../helpers/h2-steady-reader.js';
import { deferred, type StartedServer, startServer } from '../helpers/start-server.js';
import { untilDisconnect } from '../helpers/ws-until-disconnect.js';
import { collect, h2Connect, h2Request } from './h2-client.js';
import {
  FLAG,
  FRAME,
  frame,
  goawayCode,
  PREFACE,
  type ParsedFrame,
  rawH2,
  requestBlock,
} from './raw-frames.js';

/**
 * The HTTP/1.1 slow-client deadlines on HTTP/2, per stream: requestReadTimeout, sendTimeout,
 * and headersTimeout against a header block sent slowly (src/http2/h2-deadlines.ts), and
 * maxConnectionsPerAddress per stream for clients behind a trusted proxy.
 */

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

const hello: App = async (_scope, _receive, send) => {
  await send({ type: 'http.response.start', status: 200, headers: [] });
  await send({ type: 'http.response.body', body: 'hello' });
};

const isReset = (id: number) => (f: ParsedFrame) => f.type === FRAME.RST_STREAM && f.streamId === id;

describe('requestReadTimeout on HTTP/2', () => {
  it('answers 408 on a stream whose body stalls, and the connection serves the next stream', async () => {
    const reason = deferred<DisconnectReason | undefined>();
    const app: App = async (scope, receive, send) => {
      if ((scope as HttpScope).method === 'GET') return hello(scope, receive, send);
      for (;;) {
        const event = (await receive()) as ReceiveEvent<'http'>;
        if (event.type === 'http.disconnect') break;
      }
      reason.resolve((scope as HttpScope)['pagi.connection']?.disconnect_reason());
    };
    started = await startServer(app, { http2: true, requestReadTimeout: 300 });
    const session = await h2Connect(started.url);
    const stream = session.request({ ':method': 'POST', ':path': '/up', 'content-length': '10' });
    stream.write('ab'); // 2 of 10 bytes, then nothing
    const res = await collect(stream);
    expect(res.status).toBe(408);
    expect(res.body.toString()).toMatch(/request not received within 300 ms/);
    expect(await reason.promise).toBe('client_timeout');
    const next = await h2Request(session, { ':path': '/' });
    expect(next.body.toString()).toBe('hello');
    session.close();
  });

  it('does not fire for a client that sent its whole body while the app has not read it', async () => {
    const app: App = async (_scope, _receive, send) => {
      // Three times the deadline without reading the (empty) body: the client is not behind.
      await new Promise((resolve) => setTimeout(resolve, 900));
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: 'late' });
    };
    started = await startServer(app, { http2: true, requestReadTimeout: 300 });
    const session = await h2Connect(started.url);
    const stream = session.request({ ':method': 'POST', ':path': '/slow-app' });
    stream.end(); // an empty DATA frame with END_STREAM
    const res = await collect(stream);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('late');
    session.close();
  });
});

describe('sendTimeout on HTTP/2', () => {
  const big: App = async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [] });
    const chunk = Buffer.alloc(8192, 0x61);
    for (let i = 0; i < 40; i++) await send({ type: 'http.response.body', body: chunk, more: true });
    await send({ type: 'http.response.body', body: '' });
  };

  it('resets with CANCEL a stream whose flow-control window stays at 0, and releases the app', async () => {
    const reason = deferred<DisconnectReason | undefined>();
    const app: App = async (scope, receive, send) => {
      try {
        await big(scope, receive, send);
      } catch {
        // a send after the reset rejects; the reason is what matters
      }
      reason.resolve((scope as HttpScope)['pagi.connection']?.disconnect_reason());
    };
    started = await startServer(app, { http2: true, sendTimeout: 300, logLevel: 'warn' });
    const client = await rawH2(started.port);
    // 320 KiB answered into the default 65535-byte window, never opened further.
    client.send(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, requestBlock('/big')));
    const reset = await client.waitFor(isReset(1));
    expect(reset.payload.readUInt32BE(0)).toBe(8); // CANCEL
    expect(await reason.promise).toBe('write_timeout');
    client.socket.destroy();
  });

  it('does not cut a slow but steady reader', async () => {
    started = await startServer(big, { http2: true, sendTimeout: 1000, logLevel: 'warn' });
    const headers = frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, requestBlock('/big'));
    // Opens 16 KiB of window every 100 ms: well under the time sendTimeout allows per write.
    expect(await requestSteadily(started.port, headers)).toBe(40 * 8192);
  });
});

describe('sendTimeout on SSE and WebSocket streams over HTTP/2', () => {
  it('resets a stalled SSE stream with CANCEL although keepalive comments keep being queued', async () => {
    const gone = deferred<string>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'sse') return;
      await send({ type: 'sse.start', status: 200, headers: [] });
      await send({ type: 'sse.keepalive', interval: 50 });
      // 200 KiB of events into the default 65535-byte window, never opened further.
      const data = 'x'.repeat(10_000);
      try {
        for (let i = 0; i < 20; i++) await send({ type: 'sse.send', data });
      } catch {
        // a send after the reset rejects
      }
      const event = (await receive()) as ReceiveEvent<'sse'>;
      gone.resolve(event.type);
    };
    started = await startServer(app, { http2: true, sendTimeout: 300, logLevel: 'warn' });
    const client = await rawH2(started.port);
    client.send(
      frame(
        FRAME.HEADERS,
        FLAG.END_HEADERS | FLAG.END_STREAM,
        1,
        requestBlock('/events', [['accept', 'text/event-stream']]),
      ),
    );
    const reset = await client.waitFor(isReset(1));
    expect(reset.payload.readUInt32BE(0)).toBe(8); // CANCEL
    expect(await gone.promise).toBe('sse.disconnect');
    client.socket.destroy();
  });

  it('resets a stalled WebSocket stream with CANCEL; the app sees 1006', async () => {
    const text = 'x'.repeat(10_000);
    const { app, disconnected } = untilDisconnect({
      accepted: async (send) => {
        for (let i = 0; i < 20; i++) await send({ type: 'websocket.send', text });
      },
    });
    started = await startServer(app, { http2: true, sendTimeout: 300, logLevel: 'warn' });
    const client = await rawH2(started.port);
    const block = requestBlock(
      '/ws',
      [
        [':protocol', 'websocket'],
        ['sec-websocket-version', '13'],
      ],
      'CONNECT',
    );
    client.send(frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, block));
    const reset = await client.waitFor(isReset(1));
    expect(reset.payload.readUInt32BE(0)).toBe(8); // CANCEL
    expect((await disconnected).code).toBe(1006);
    client.socket.destroy();
  });

  it('does not cut a slow but steady SSE reader', async () => {
    const app: App = async (scope, _receive, send) => {
      if (scope.type !== 'sse') return;
      await send({ type: 'sse.start', status: 200, headers: [] });
      const data = 'x'.repeat(8000);
      for (let i = 0; i < 40; i++) await send({ type: 'sse.send', data });
      await send({ type: 'sse.close' });
    };
    started = await startServer(app, { http2: true, sendTimeout: 1000, logLevel: 'warn' });
    const headers = frame(
      FRAME.HEADERS,
      FLAG.END_HEADERS | FLAG.END_STREAM,
      1,
      requestBlock('/events', [['accept', 'text/event-stream']]),
    );
    // Opens 16 KiB of window every 100 ms.
    expect(await requestSteadily(started.port, headers)).toBeGreaterThan(40 * 8000);
  });
});

describe('headersTimeout on HTTP/2 (slow loris)', () => {
  it('closes a connection whose header block trickles in past headersTimeout', async () => {
    started = await startServer(hello, { http2: true, headersTimeout: 300, logLevel: 'warn' });
    const client = await rawH2(started.port);
    // One HEADERS frame sent a byte at a time (no CONTINUATION, so nghttp2's cap on those does
    // not apply): bytes keep moving, the idle timeout never fires, no stream ever starts.
    const bytes = frame(
      FRAME.HEADERS,
      FLAG.END_HEADERS | FLAG.END_STREAM,
      1,
      requestBlock('/', [['x-pad', 'a'.repeat(120)]]),
    );
    let offset = 0;
    client.send(bytes.subarray(0, 10));
    offset = 10;
    const timer = setInterval(() => {
      if (offset < bytes.length - 1) client.send(bytes.subarray(offset, ++offset));
    }, 50);
    let bound: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        client.closed.then(() => 'closed'),
        new Promise((resolve) => {
          bound = setTimeout(resolve, 3000, 'still open after 3 s');
        }),
      ]);
      expect(outcome).toBe('closed');
      expect(offset).toBeLessThan(bytes.length - 1); // cut before the block could complete
      const goaway = client.frames.find((f) => f.type === FRAME.GOAWAY);
      if (goaway !== undefined) expect(goawayCode(goaway)).toBe(0);
    } finally {
      clearInterval(timer);
      clearTimeout(bound);
      client.socket.destroy();
    }
  });

  it('closes a TLS (ALPN h2) connection whose header block trickles in', async () => {
    const certs = makeTestCerts();
    started = await startServer(hello, {
      http2: true,
      headersTimeout: 300,
      logLevel: 'warn',
      tlsCert: certs.serverCert,
      tlsKey: certs.serverKey,
    });
    const socket = tlsConnect({
      port: started.port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: readFileSync(certs.caCert),
      ALPNProtocols: ['h2'],
    });
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    expect(socket.alpnProtocol).toBe('h2');
    const closed = new Promise<string>((resolve) => socket.once('close', () => resolve('closed')));
    socket.resume();
    const bytes = Buffer.concat([
      PREFACE,
      frame(FRAME.SETTINGS, 0, 0),
      frame(
        FRAME.HEADERS,
        FLAG.END_HEADERS | FLAG.END_STREAM,
        1,
        requestBlock('/', [['x-pad', 'a'.repeat(120)]]),
      ),
    ]);
    let offset = PREFACE.length + 9 + 10;
    socket.write(bytes.subarray(0, offset));
    const timer = setInterval(() => {
      if (offset < bytes.length - 1) socket.write(bytes.subarray(offset, ++offset));
    }, 50);
    let bound: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        closed,
        new Promise((resolve) => {
          bound = setTimeout(resolve, 3000, 'still open after 3 s');
        }),
      ]);
      expect(outcome).toBe('closed');
    } finally {
      clearInterval(timer);
      clearTimeout(bound);
      socket.destroy();
    }
  });

  it('leaves a connection alone once its header blocks complete', async () => {
    started = await startServer(hello, { http2: true, headersTimeout: 200 });
    const session = await h2Connect(started.url);
    for (let i = 0; i < 4; i++) {
      const res = await h2Request(session, { ':path': '/' });
      expect(res.body.toString()).toBe('hello');
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(session.closed).toBe(false);
    session.close();
  });
});

describe('maxConnectionsPerAddress per stream behind a trusted proxy (HTTP/2)', () => {
  it('counts each forwarded client per stream on one proxied connection', async () => {
    const release = deferred<void>();
    let held = 0;
    const twoHeld = deferred<void>();
    const app: App = async (scope, receive, send) => {
      if ((scope as HttpScope).path === '/hold') {
        if (++held === 2) twoHeld.resolve();
        await release.promise;
      }
      await hello(scope, receive, send);
    };
    started = await startServer(app, {
      http2: true,
      proxyHeaders: true,
      forwardedAllowIps: ['127.0.0.1'],
      maxConnectionsPerAddress: 1,
    });
    const session = await h2Connect(started.url);
    const as = (client: string, path: string) =>
      h2Request(session, { ':path': path, 'x-forwarded-for': client });
    const first = as('203.0.113.7', '/hold');
    const other = as('203.0.113.8', '/hold'); // another client on the same connection
    await twoHeld.promise;
    const over = await as('203.0.113.7', '/');
    expect(over.status).toBe(503);
    expect(over.headers['retry-after']).toBe('5');
    expect(over.body.toString()).toMatch(/too many connections from your address \(limit 1\)/);
    release.resolve();
    expect((await first).status).toBe(200);
    expect((await other).status).toBe(200);
    // The count goes with the stream's close, which the server sees just after the client does.
    let again = await as('203.0.113.7', '/');
    for (let i = 0; i < 40 && again.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      again = await as('203.0.113.7', '/');
    }
    expect(again.status).toBe(200);
    session.close();
  });
});
