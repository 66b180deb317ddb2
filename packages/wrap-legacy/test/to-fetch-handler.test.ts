/** toFetchHandler: PAGI apps behind the fetch interface, under Node's fetch and under srvx. */
import type { App, HttpScope, Receive, Send } from '@pagi/spec';
import { serve as srvxServe } from 'srvx/node';
import { afterEach, expect, test } from 'vitest';
import { toFetchHandler } from '../src/index.js';
import { recordingLogger } from './support/serve.js';

const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  const s = send as Send<'http'>;
  await s({
    type: 'http.response.start',
    status: 200,
    headers: [
      ['content-type', 'text/plain'],
      ['x-path', `${scope.path}?${scope.query_string}`],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ],
  });
  for (;;) {
    const event = await (receive as Receive<'http'>)();
    if (event.type !== 'http.request') break;
    if (event.body.byteLength > 0) await s({ type: 'http.response.body', body: event.body, more: true });
    if (!event.more) break;
  }
  await s({ type: 'http.response.body', body: `|${scope.method}`, more: false });
};

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

test('under Node fetch objects: scope from the Request, streamed body both ways, repeated headers', async () => {
  const handler = toFetchHandler(echo);
  const res = await handler(
    new Request('http://example.test/a%20b?x=1', {
      method: 'POST',
      body: 'payload',
      headers: { 'x-a': '1' },
    }),
  );
  expect(res.status).toBe(200);
  expect(res.headers.get('x-path')).toBe('/a b?x=1');
  expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  expect(await res.text()).toBe('payload|POST');
});

test('an app that throws before starting gives a 500 and is logged; the validator guards every send', async () => {
  const log = recordingLogger();
  let sendError: unknown;
  const handler = toFetchHandler(
    async (_scope, _receive, send) => {
      try {
        await send({ type: 'http.response.body', body: 'too early' } as never);
      } catch (error) {
        sendError = error;
      }
      throw new Error('app failed');
    },
    { logger: log.logger },
  );
  const res = await handler(new Request('http://x.test/'));
  expect(res.status).toBe(500);
  expect((sendError as { code: string }).code).toBe('PAGI_ERR_STATE');
  expect(log.lines[0]?.message).toContain('app failed');
});

test('send() waits while the Response body is not being read (pull backpressure)', async () => {
  let sent = 0;
  const handler = toFetchHandler(async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 });
    for (let i = 0; i < 20; i++) {
      await send({ type: 'http.response.body', body: 'x'.repeat(1000), more: true });
      sent++;
    }
    await send({ type: 'http.response.body', more: false });
  });
  const res = await handler(new Request('http://x.test/'));
  await new Promise((r) => setTimeout(r, 50));
  expect(sent).toBeLessThanOrEqual(2);
  expect((await res.text()).length).toBe(20_000);
  expect(sent).toBe(20);
});

test('an sse scope for a GET that accepts text/event-stream, framed on the wire', async () => {
  let type = '';
  const handler = toFetchHandler(async (scope, _receive, send) => {
    type = scope.type;
    await send({ type: 'sse.start' } as never);
    await send({ type: 'sse.send', data: 'line1\nline2', event: 'tick', id: '1' } as never);
    await send({ type: 'sse.comment', comment: 'note' } as never);
    await send({ type: 'sse.close' } as never);
  });
  const res = await handler(
    new Request('http://x.test/events', { headers: { accept: 'text/event-stream' } }),
  );
  expect(type).toBe('sse');
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  expect(await res.text()).toBe('event: tick\ndata: line1\ndata: line2\nid: 1\n\n:note\n\n');
});

test('request.signal aborting becomes http.disconnect and later sends do nothing', async () => {
  const abort = new AbortController();
  let resolveSeen!: (event: string) => void;
  const seen = new Promise<string>((r) => {
    resolveSeen = r;
  });
  const handler = toFetchHandler(async (scope, receive, send) => {
    await receive(); // the (empty) body
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: 'a', more: true });
    const event = await receive();
    expect((scope as HttpScope)['pagi.connection'].is_connected()).toBe(false);
    await send({ type: 'http.response.body', body: 'ignored', more: true });
    resolveSeen(event.type);
  });
  const res = await handler(new Request('http://x.test/', { signal: abort.signal }));
  const reader = res.body!.getReader();
  await reader.read();
  abort.abort();
  expect(await seen).toBe('http.disconnect');
});

/** Reads the whole body, then streams back 1 MiB in 64 KiB chunks with the byte count and client. */
const countThenStream: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  let total = 0;
  for (;;) {
    const event = await (receive as Receive<'http'>)();
    if (event.type !== 'http.request') return;
    total += event.body.byteLength;
    if (!event.more) break;
  }
  const s = send as Send<'http'>;
  await s({
    type: 'http.response.start',
    status: 200,
    headers: [
      ['x-path', `${scope.path}?${scope.query_string}`],
      ['x-received', String(total)],
      ['x-client', String(scope.client?.[0])],
    ],
  });
  for (let i = 0; i < 16; i++) await s({ type: 'http.response.body', body: 'z'.repeat(65536), more: true });
  await s({ type: 'http.response.body', body: `|${scope.method}`, more: false });
};

test('under srvx (node adapter) on port 0: bodies both ways, client address through the option', async () => {
  const server = srvxServe({
    port: 0,
    hostname: '127.0.0.1',
    silent: true,
    fetch: toFetchHandler(countThenStream, {
      clientAddress: (request) => {
        const ip = (request as { ip?: string }).ip;
        return ip === undefined ? undefined : [ip, 0];
      },
    }),
  });
  await server.ready();
  closeServer = () => server.close(true);
  const base = String(server.url).replace(/\/$/, '');
  const big = 'y'.repeat(1024 * 1024);
  const res = await fetch(`${base}/up?z=2`, { method: 'PUT', body: big });
  expect(res.headers.get('x-path')).toBe('/up?z=2');
  expect(res.headers.get('x-received')).toBe(String(big.length));
  expect(res.headers.get('x-client')).toMatch(/127\.0\.0\.1/);
  expect(await res.text()).toBe(`${'z'.repeat(16 * 65536)}|PUT`);
  const get = await fetch(`${base}/`);
  expect(get.headers.get('x-received')).toBe('0');
  expect((await get.text()).endsWith('|GET')).toBe(true);
});

test('under srvx: an SSE stream reaches an EventSource-style reader', async () => {
  const server = srvxServe({
    port: 0,
    hostname: '127.0.0.1',
    silent: true,
    fetch: toFetchHandler(async (_scope, _receive, send) => {
      await send({ type: 'sse.start' } as never);
      for (let i = 0; i < 3; i++) await send({ type: 'sse.send', data: `n${i}` } as never);
    }),
  });
  await server.ready();
  closeServer = () => server.close(true);
  const res = await fetch(String(server.url), { headers: { accept: 'text/event-stream' } });
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expect(await res.text()).toBe('data: n0\n\ndata: n1\n\ndata: n2\n\n');
});
