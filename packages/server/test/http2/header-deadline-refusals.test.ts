import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, type StartedServer, startServer } from '../helpers/start-server.js';
import { collect, h2Connect } from './h2-client.js';
import { FLAG, FRAME, frame, type ParsedFrame, type RawH2, rawH2, requestBlock } from './raw-frames.js';

/**
 * headersTimeout (slow loris) on HTTP/2 must only cut a connection whose header block is really
 * unfinished (src/http2/h2-deadlines.ts). A stream whose block completed but that the app never
 * saw — answered 417 by the server, or refused by nghttp2 — leaves the connection idle, and an
 * idle connection is closed by http2IdleTimeout, not headersTimeout.
 */

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

const HEADERS_TIMEOUT = 150;
/** Many headersTimeouts (the deadline closed the connection after ~2 before the fix). */
const STILL_OPEN_AFTER = 2000;

const hello: App = async (_scope, _receive, send) => {
  await send({ type: 'http.response.start', status: 200, headers: [] });
  await send({ type: 'http.response.body', body: 'hello' });
};

/** Resolves with 'closed' if `closed` settles within `ms`, else with 'open'. */
function openAfter(closed: Promise<unknown>, ms: number): Promise<'open' | 'closed'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    closed.then(() => 'closed' as const),
    new Promise<'open'>((resolve) => {
      timer = setTimeout(resolve, ms, 'open');
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A conforming client answers every PING (RFC 9113 §6.7); returns the timer to clear. */
function answerPingsOf(client: RawH2): NodeJS.Timeout {
  const answered = new Set<ParsedFrame>();
  return setInterval(() => {
    for (const f of client.frames) {
      if (f.type !== FRAME.PING || (f.flags & FLAG.ACK) !== 0 || answered.has(f)) continue;
      answered.add(f);
      client.send(frame(FRAME.PING, FLAG.ACK, 0, f.payload));
    }
  }, 10);
}

describe('headersTimeout on HTTP/2 after a stream the app never saw', () => {
  it('keeps an idle connection open after a 417 (unknown expectation)', async () => {
    started = await startServer(hello, {
      http2: true,
      headersTimeout: HEADERS_TIMEOUT,
      http2IdleTimeout: 60_000,
    });
    const session = await h2Connect(started.url);
    const closed = new Promise((resolve) => session.once('close', resolve));
    try {
      const res = await collect(session.request({ ':path': '/', expect: 'something-else' }));
      expect(res.status).toBe(417);
      expect(await openAfter(closed, STILL_OPEN_AFTER)).toBe('open');
      // …and the connection still serves requests.
      const next = await collect(session.request({ ':path': '/' }));
      expect(next.body.toString()).toBe('hello');
    } finally {
      session.destroy();
    }
  });

  it('keeps an idle connection open after nghttp2 reset a malformed request (no :path)', async () => {
    started = await startServer(hello, {
      http2: true,
      headersTimeout: HEADERS_TIMEOUT,
      http2IdleTimeout: 60_000,
    });
    const client = await rawH2(started.port);
    const answerPings = answerPingsOf(client);
    try {
      client.send(frame(FRAME.SETTINGS, FLAG.ACK, 0));
      // :method GET, :scheme http, :authority localhost, no :path (RFC 9113 §8.3.1: malformed).
      const block = Buffer.from([
        0x82,
        0x86,
        0x00,
        10,
        ...Buffer.from(':authority'),
        9,
        ...Buffer.from('localhost'),
      ]);
      client.send(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, block));
      const reset = await client.waitFor((f) => f.type === FRAME.RST_STREAM && f.streamId === 1);
      expect(reset.payload.readUInt32BE(0)).toBe(1); // PROTOCOL_ERROR
      expect(await openAfter(client.closed, STILL_OPEN_AFTER)).toBe('open');
      expect(client.frames.some((f) => f.type === FRAME.GOAWAY)).toBe(false);
      // …and the connection still serves requests.
      client.send(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 3, requestBlock('/')));
      await client.waitFor((f) => f.type === FRAME.DATA && f.streamId === 3);
    } finally {
      clearInterval(answerPings);
      client.socket.destroy();
    }
  });

  it('keeps an idle connection open after nghttp2 refused a stream over the concurrency limit', async () => {
    const release = deferred<void>();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'http') return;
      if (scope.path === '/hold') await release.promise;
      await hello(scope, receive, send);
    };
    started = await startServer(app, {
      http2: true,
      http2MaxConcurrentStreams: 1,
      headersTimeout: HEADERS_TIMEOUT,
      http2IdleTimeout: 60_000,
    });
    const client = await rawH2(started.port);
    const answerPings = answerPingsOf(client);
    try {
      // Sent before the client acknowledged the server's SETTINGS: stream 3 goes over the
      // advertised limit of 1, which nghttp2 answers with RST_STREAM REFUSED_STREAM (after the
      // acknowledgement it would be a connection error); node never hears of the stream.
      client.send(
        frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, requestBlock('/hold')),
        frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 3, requestBlock('/')),
      );
      const reset = await client.waitFor((f) => f.type === FRAME.RST_STREAM && f.streamId === 3);
      expect(reset.payload.readUInt32BE(0)).toBe(7); // REFUSED_STREAM
      client.send(frame(FRAME.SETTINGS, FLAG.ACK, 0));
      release.resolve();
      await client.waitFor(
        (f) => f.type === FRAME.DATA && f.streamId === 1 && (f.flags & FLAG.END_STREAM) !== 0,
      );
      expect(await openAfter(client.closed, STILL_OPEN_AFTER)).toBe('open');
      expect(client.frames.some((f) => f.type === FRAME.GOAWAY)).toBe(false);
    } finally {
      clearInterval(answerPings);
      client.socket.destroy();
    }
  });
});
