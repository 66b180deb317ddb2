// Issue 14: every response-shaping middleware stacked around a WebSocket app and an SSE app.
// Those that only shape HTTP responses must pass these scopes through untouched; those that act
// on them (security-headers, request-id, runtime, access-log, sse-retry) must not break the
// stream: messages and events arrive intact, in order and unbuffered. "Unbuffered" is shown by a
// gate: the app sends its first event, then waits until the client has READ it before sending
// the next, so a layer that held events back would hang the test instead of passing it.
// Left out: https-redirect, which redirects every plain-http request (WebSocket and SSE too) to
// https by design, so there is no stream to look at; and the non-shaping ones (auth, cors, ...).
import { once } from 'node:events';
import { accessLog } from '@pagi/middleware-access-log';
import { compress } from '@pagi/middleware-compress';
import { conditionalGet } from '@pagi/middleware-conditional-get';
import { contentLength } from '@pagi/middleware-content-length';
import { contentNegotiation } from '@pagi/middleware-content-negotiation';
import { debug } from '@pagi/middleware-debug';
import { errorHandler } from '@pagi/middleware-error-handler';
import { etag } from '@pagi/middleware-etag';
import { head } from '@pagi/middleware-head';
import { lint } from '@pagi/middleware-lint';
import { methodOverride } from '@pagi/middleware-method-override';
import { requestId } from '@pagi/middleware-request-id';
import { rewrite } from '@pagi/middleware-rewrite';
import { runtime } from '@pagi/middleware-runtime';
import { securityHeaders } from '@pagi/middleware-security-headers';
import { sseRetry } from '@pagi/middleware-sse-retry';
import { timeout } from '@pagi/middleware-timeout';
import { xsendfile } from '@pagi/middleware-xsendfile';
import { createServer } from '@pagi/server';
import type { App } from '@pagi/spec';
import { compose } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/** A promise the test resolves: the app waits on it between its first and second event. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

let current = gate();
const EVENTS = [
  { event: 'tick', data: 'one', id: '1' },
  { event: 'tick', data: 'two\nlines', id: '2' },
  { event: 'done', data: '{"n":3}', id: '3' },
];

/** WebSocket: echoes each message back (text as text, bytes as bytes) until the client closes. SSE: the gated events. */
const inner: App = async (scope, receive, send) => {
  if (scope.type === 'websocket') {
    await receive(); // websocket.connect
    await send({ type: 'websocket.accept', subprotocol: 'chat' });
    for (;;) {
      const event = await receive();
      if (event.type !== 'websocket.receive') return;
      if (event.text !== undefined) await send({ type: 'websocket.send', text: event.text });
      else if (event.bytes !== undefined) await send({ type: 'websocket.send', bytes: event.bytes });
    }
  }
  if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200, headers: [['x-app', 'sse']] });
    for (const [i, event] of EVENTS.entries()) {
      await send({ type: 'sse.send', ...event });
      if (i === 0) await current.promise;
    }
    return;
  }
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: 'plain' });
  }
};

const logged: string[] = [];
const stacked = compose(
  accessLog({ logger: (line) => logged.push(line) }),
  errorHandler(),
  requestId(),
  runtime(),
  securityHeaders(),
  timeout({ ms: 60_000 }),
  lint({ mode: 'throw' }),
  debug({ enabled: true }),
  methodOverride(),
  rewrite({ rules: [{ from: '/old', to: '/new' }] }),
  contentNegotiation({ types: ['text/plain', 'application/json'], languages: ['en', 'de'] }),
  head(),
  conditionalGet(),
  etag(),
  contentLength(),
  compress({ threshold: 0 }),
  sseRetry({ retry: 1500 }),
  xsendfile({ type: 'X-Sendfile' }),
)(inner);

const payloads = ['hello', 'ünïcode ✓', 'x'.repeat(70_000), ''];

describe('the response-shaping middleware stack around WebSocket and SSE', () => {
  afterEach(() => {
    current = gate();
  });

  for (const [label, app] of [
    ['bare', inner],
    ['stacked', stacked],
  ] as const) {
    it(`WebSocket messages pass through intact and in order (${label}, @pagi/test)`, async () => {
      const client = new TestClient(app);
      const ws = await client.websocket('/ws', {
        subprotocols: ['chat'],
        headers: [['accept-encoding', 'gzip']],
      });
      expect(ws.subprotocol).toBe('chat');
      for (const text of payloads) {
        await ws.sendText(text);
        expect(await ws.receiveText()).toBe(text);
      }
      await ws.sendBytes(new Uint8Array([0, 255, 1]));
      expect([...(await ws.receiveBytes())]).toEqual([0, 255, 1]);
      await ws.close();
    });

    it(`SSE events arrive intact, in order and unbuffered (${label}, @pagi/test)`, async () => {
      const client = new TestClient(app);
      const sse = await client.sse('/events', { headers: [['accept-encoding', 'gzip, br']] });
      expect(sse.status).toBe(200);
      expect(sse.header('x-app')).toBe('sse');
      expect(sse.header('content-encoding')).toBeUndefined();
      // The second event is only sent once the first was read: a buffering layer hangs here.
      const first = await sse.next();
      current.open();
      const rest = [await sse.next(), await sse.next()];
      const got = [first, ...rest].map((e) => ({ event: e?.event, data: e?.data, id: e?.id }));
      expect(got).toEqual(EVENTS);
      if (label === 'stacked') expect(first?.retry).toBe(1500); // sse-retry acts on SSE by design
      expect(await sse.next()).toBeUndefined();
    });
  }

  it('the layers that act on SSE add their headers and log it without touching the events', async () => {
    logged.length = 0;
    const client = new TestClient(stacked);
    const sse = await client.sse('/events');
    expect(sse.header('x-request-id')).toMatch(/\S/);
    expect(sse.header('x-content-type-options')).toBe('nosniff');
    current.open();
    for (let i = 0; i < EVENTS.length; i++) expect(await sse.next()).toBeDefined();
    await sse.finished();
    expect(logged.join('\n')).toContain('/events');
  });
});

describe('the same stack over a real @pagi/server socket (ws client, SSE reader)', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
    current = gate();
  });

  async function serve(app: App): Promise<URL> {
    const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off' });
    await server.listen();
    close = () => server.close();
    return new URL(server.url);
  }

  it('WebSocket echo through the stack', async () => {
    const url = await serve(stacked);
    const ws = new WebSocket(`ws://${url.host}/ws`, ['chat'], { perMessageDeflate: false });
    await once(ws, 'open');
    expect(ws.protocol).toBe('chat');
    const received: string[] = [];
    ws.on('message', (data, isBinary) =>
      received.push(isBinary ? `bin:${data.toString('hex')}` : data.toString()),
    );
    for (const text of payloads) {
      ws.send(text);
      await new Promise<void>((resolve) => {
        const check = () =>
          received.length === payloads.indexOf(text) + 1 ? resolve() : setImmediate(check);
        check();
      });
    }
    ws.send(Buffer.from([0, 255, 1]));
    await new Promise<void>((resolve) => {
      const check = () => (received.length === payloads.length + 1 ? resolve() : setImmediate(check));
      check();
    });
    expect(received).toEqual([...payloads, 'bin:00ff01']);
    ws.close(1000);
    await once(ws, 'close');
  });

  it('SSE events through the stack arrive unbuffered and in order', async () => {
    const url = await serve(stacked);
    const res = await fetch(new URL('/events', url), {
      headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip, br' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('x-request-id')).toMatch(/\S/);
    const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    // Read until the first event is complete; the app sends nothing more until the gate opens.
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended early: ${JSON.stringify(text)}`);
      text += value;
    }
    expect(text).toContain('data: one\n');
    expect(text).not.toContain('data: two');
    current.open();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const blocks = text.split('\n\n').filter((b) => b.includes('data:'));
    const datas = blocks.map((b) =>
      b
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n'),
    );
    expect(datas).toEqual(EVENTS.map((e) => e.data));
    expect(text).toContain('retry: 1500\n');
  });
});
