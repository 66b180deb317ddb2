import type { ReceiveEvent, SseScope } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, type Harness, startHarness } from '../websocket/harness.js';
import { openSse } from './sse-client.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('SSE streams', () => {
  it('builds the sse scope and delivers one empty sse.request first', async () => {
    const seen = deferred<{ scope: SseScope; first: unknown }>();
    harness = await startHarness(async (scope, receive, send) => {
      if (scope.type !== 'sse') return;
      seen.resolve({ scope, first: await receive() });
      await send({ type: 'sse.start' });
    });
    const client = await openSse(harness.port, '/feed/%C3%A9?since=3');
    await client.closed;
    const { scope, first } = await seen.promise;
    expect(first).toEqual({ type: 'sse.request', body: new Uint8Array(0), more: false });
    expect(scope.type).toBe('sse');
    expect(scope.method).toBe('GET');
    expect(scope.path).toBe('/feed/é');
    expect(scope.raw_path).toBe('/feed/%C3%A9');
    expect(scope.query_string).toBe('since=3');
    expect(scope.root_path).toBe('');
    expect(scope.http_version).toBe('1.1');
    expect(scope.scheme).toBe('http');
    expect(scope.client?.[0]).toBe('127.0.0.1');
    expect(scope.server?.[1]).toBe(harness.port);
    expect(scope.state).toEqual({ shared: 'yes' });
    expect(scope.headers).toContainEqual(['accept', 'text/event-stream']);
    expect(scope['pagi.connection']).toBeUndefined();
    expect(scope.extensions.fullflush).toBeUndefined();
    expect(scope['pagi.transport']?.buffered_amount()).toBe(0);
  });

  it('adds the stream headers, uses chunked framing and ends with the terminator', async () => {
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start', headers: [['x-feed', 'one']] });
      await send({ type: 'sse.send', data: 'hello' });
    });
    const client = await openSse(harness.port);
    await client.closed;
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream');
    expect(client.headers['cache-control']).toBe('no-cache');
    expect(client.headers['x-accel-buffering']).toBe('no');
    expect(client.headers.connection).toBe('keep-alive');
    expect(client.headers['transfer-encoding']).toBe('chunked');
    expect(client.headers['x-feed']).toBe('one');
    expect(typeof client.headers.date).toBe('string');
    expect(client.headers['content-encoding']).toBeUndefined();
    expect(client.terminated()).toBe(true);
    expect(client.raw().endsWith('0\r\n\r\n')).toBe(true);
    expect(client.stream.events).toEqual([{ type: 'message', data: 'hello', lastEventId: '' }]);
  });

  it('keeps the app status and content-type', async () => {
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({
        type: 'sse.start',
        status: 201,
        headers: [['content-type', 'text/event-stream; charset=utf-8']],
      });
    });
    const client = await openSse(harness.port);
    await client.closed;
    expect(client.status).toBe(201);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('round-trips multi-line data, event names, ids, retry and comments', async () => {
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'line 1\nline 2\r\nline 3\rline 4', event: 'multi', id: 'a-1' });
      await send({ type: 'sse.send', data: '', retry: 2500 });
      await send({ type: 'sse.comment', comment: 'note\nsecond' });
      await send({ type: 'sse.send', data: 'ünï ✓', id: 'a-2' });
      await send({ type: 'sse.close', reason: 'done' });
    });
    const client = await openSse(harness.port);
    await client.closed;
    expect(client.stream.events).toEqual([
      { type: 'multi', data: 'line 1\nline 2\nline 3\nline 4', lastEventId: 'a-1' },
      { type: 'message', data: '', lastEventId: 'a-1' },
      { type: 'message', data: 'ünï ✓', lastEventId: 'a-2' },
    ]);
    expect(client.stream.retry).toBe(2500);
    expect(client.stream.comments).toEqual(['note', 'second']);
    expect(client.body()).toContain(':note\n:second\n\n');
  });

  it('writes each event to the socket at once, before the app sends the next', async () => {
    const next = deferred();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'first' });
      await next.promise;
      await send({ type: 'sse.send', data: 'second' });
    });
    const client = await openSse(harness.port);
    await client.until((c) => c.stream.events.length === 1);
    expect(client.stream.events[0]?.data).toBe('first');
    next.resolve();
    await client.until((c) => c.stream.events.length === 2);
  });

  it('sends keepalive comments at the interval, last setting wins, 0 stops them', async () => {
    const switched = deferred();
    const stop = deferred();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.keepalive', interval: 0.01 });
      await switched.promise;
      await send({ type: 'sse.keepalive', interval: 0.01, comment: 'ka' });
      await stop.promise;
      await send({ type: 'sse.keepalive', interval: 0 });
      await send({ type: 'sse.send', data: 'after stop' });
      await send({ type: 'sse.close' });
    });
    const client = await openSse(harness.port);
    await client.until((c) => c.stream.comments.length >= 2);
    expect(client.stream.comments.every((comment) => comment === '')).toBe(true);
    switched.resolve();
    await client.until((c) => c.stream.comments.filter((comment) => comment === 'ka').length >= 2);
    stop.resolve();
    await client.closed;
    expect(client.stream.events.map((event) => event.data)).toEqual(['after stop']);
    // Nothing after the last event but the terminator: the timer stopped.
    expect(client.body().endsWith('data: after stop\n\n')).toBe(true);
  });

  it('uses the server-wide sseKeepaliveInterval by default', async () => {
    harness = await startHarness(
      async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        await receive();
      },
      { sseKeepaliveInterval: 10 },
    );
    const client = await openSse(harness.port);
    await client.until((c) => c.stream.comments.length >= 2);
    client.socket.destroy();
  });

  it('ends at once on sse.close: later sends raise, a second close is ignored, receive() reports the reason', async () => {
    const result = deferred<unknown[]>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'only' });
      await send({ type: 'sse.close', reason: 'x-finished' });
      const out: unknown[] = [];
      await send({ type: 'sse.close' }).then(() => out.push('second close ignored'));
      await send({ type: 'sse.send', data: 'late' }).catch((error: { code: string }) => out.push(error.code));
      out.push(await receive(), await receive());
      result.resolve(out);
      // The app keeps running after its close; the client is already free.
      await new Promise(() => {});
    });
    const client = await openSse(harness.port);
    await client.closed;
    expect(client.terminated()).toBe(true);
    expect(client.stream.events.map((event) => event.data)).toEqual(['only']);
    expect(await result.promise).toEqual([
      'second close ignored',
      'PAGI_ERR_STATE',
      { type: 'sse.disconnect', reason: 'x-finished' },
      { type: 'sse.disconnect', reason: 'x-finished' },
    ]);
    expect(harness.access.at(-1)).toMatchObject({ protocol: 'sse', status: 200 });
  });

  it('rejects sse.send before sse.start and event names with a newline', async () => {
    const errors = deferred<string[]>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      const out: string[] = [];
      await send({ type: 'sse.send', data: 'early' }).catch((error: { code: string }) =>
        out.push(error.code),
      );
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'x', event: 'a\nb' }).catch((error: { code: string }) =>
        out.push(error.code),
      );
      errors.resolve(out);
    });
    const client = await openSse(harness.port);
    await client.closed;
    expect(await errors.promise).toEqual(['PAGI_ERR_STATE', 'PAGI_ERR_VALIDATION']);
  });

  it.each([
    [204, undefined],
    [404, 'no such feed'],
  ])('declines with a plain %i response and closes', async (status, body) => {
    const after = deferred<unknown[]>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.http.response.start', status, headers: [['content-type', 'text/plain']] });
      await send({ type: 'sse.http.response.body', ...(body === undefined ? {} : { body }) });
      const out: unknown[] = [];
      await send({ type: 'sse.send', data: 'x' }).catch((error: { code: string }) => out.push(error.code));
      out.push(await receive());
      after.resolve(out);
    });
    const client = await openSse(harness.port);
    await client.closed;
    expect(client.status).toBe(status);
    expect(client.headers['content-type']).toBe('text/plain');
    expect(client.headers.connection).toBe('close');
    expect(client.body()).toBe(body ?? '');
    if (body !== undefined) expect(client.headers['content-length']).toBe(String(body.length));
    else expect(client.headers['content-length']).toBeUndefined();
    expect(await after.promise).toEqual(['PAGI_ERR_STATE', { type: 'sse.disconnect', reason: '' }]);
  });

  it('raises on a decline after sse.start', async () => {
    const error = deferred<string>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.http.response.start', status: 404 }).catch((e: { code: string }) =>
        error.resolve(e.code),
      );
    });
    const client = await openSse(harness.port);
    await client.closed;
    expect(await error.promise).toBe('PAGI_ERR_STATE');
  });

  it('reports client_closed when the client goes away, and sends after that are no-ops', async () => {
    const result = deferred<unknown[]>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'hi' });
      const event = (await receive()) as ReceiveEvent<'sse'>;
      const out: unknown[] = [event];
      await send({ type: 'sse.send', data: 'into the void' }).then(() => out.push('no-op'));
      result.resolve(out);
    });
    const client = await openSse(harness.port);
    await client.until((c) => c.stream.events.length === 1);
    client.socket.destroy();
    expect(await result.promise).toEqual([{ type: 'sse.disconnect', reason: 'client_closed' }, 'no-op']);
    expect(harness.tracked.size).toBe(0);
  });

  it('notices a vanished client through the keepalive even when the app only writes rarely', async () => {
    const result = deferred<unknown>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.keepalive', interval: 0.01 });
      result.resolve(await receive());
    });
    const client = await openSse(harness.port);
    await client.until((c) => c.stream.comments.length >= 1);
    client.socket.destroy();
    expect(await result.promise).toEqual({ type: 'sse.disconnect', reason: 'client_closed' });
  });

  it('answers 500 when the app throws or returns before sse.start', async () => {
    for (const mode of ['throw', 'return']) {
      harness = await startHarness(async (_scope, receive) => {
        await receive();
        if (mode === 'throw') throw new Error('before start');
      });
      const client = await openSse(harness.port);
      await client.closed;
      expect(client.status).toBe(500);
      if (mode === 'throw') expect(harness.logs.some((entry) => entry.level === 'error')).toBe(true);
      await harness.close();
      harness = undefined;
    }
  });

  it('ends the stream cleanly (terminator) when the app throws after sse.start, and logs it', async () => {
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'partial' });
      throw new Error('after start');
    });
    const client = await openSse(harness.port);
    await client.closed;
    expect(client.status).toBe(200);
    expect(client.terminated()).toBe(true);
    expect(client.stream.events.map((event) => event.data)).toEqual(['partial']);
    expect(harness.logs.some((entry) => entry.level === 'error' && entry.message.includes('sse'))).toBe(true);
  });

  it('does not keep the connection alive after the stream ends', async () => {
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.close' });
    });
    const client = await openSse(harness.port);
    // The server closes the socket itself: this resolves without the client doing anything.
    await client.closed;
    expect(client.terminated()).toBe(true);
  });

  it('ends streams with the terminator and server_shutdown on graceful stop', async () => {
    const result = deferred<unknown>();
    const started = deferred();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      started.resolve();
      result.resolve(await receive());
    });
    const client = await openSse(harness.port);
    await started.promise;
    harness.stop();
    await client.closed;
    expect(client.terminated()).toBe(true);
    expect(await result.promise).toEqual({ type: 'sse.disconnect', reason: 'server_shutdown' });
  });

  it('delivers a request body as sse.request events', async () => {
    const events = deferred<unknown[]>();
    harness = await startHarness(async (_scope, receive, send) => {
      const out: Array<{ body: string; more: boolean }> = [];
      for (;;) {
        const event = (await receive()) as ReceiveEvent<'sse'>;
        if (event.type !== 'sse.request') break;
        out.push({ body: Buffer.from(event.body).toString(), more: event.more });
        if (!event.more) break;
      }
      events.resolve(out);
      await send({ type: 'sse.start' });
    });
    const client = await openSse(
      harness.port,
      '/',
      'Content-Length: 5\r\n\r\nhello',
      'text/event-stream',
      'POST',
    );
    await client.closed;
    const out = (await events.promise) as Array<{ body: string; more: boolean }>;
    expect(out.map((event) => event.body).join('')).toBe('hello');
    expect(out.at(-1)?.more).toBe(false);
  });

  it('makes await send() wait for a slow reader, keeping the buffer under the high mark', async () => {
    const high = 65536;
    const stats = deferred<{ maxBuffered: number; highWater: number }>();
    const blocked = deferred();
    const total = 1500;
    const data = 'x'.repeat(16 * 1024);
    harness = await startHarness(
      async (scope, receive, send) => {
        if (scope.type !== 'sse') return;
        await receive();
        await send({ type: 'sse.start' });
        const transport = scope['pagi.transport']!;
        let highWater = 0;
        transport.on_high_water?.(() => {
          highWater++;
        });
        let maxBuffered = 0;
        let wasBlocked = false;
        for (let i = 0; i < total; i++) {
          let settled = false;
          const pending = send({ type: 'sse.send', data, id: String(i) }).then(() => {
            settled = true;
          });
          await new Promise((resolve) => setImmediate(resolve));
          if (!settled && !wasBlocked) {
            wasBlocked = true;
            blocked.resolve();
          }
          await pending;
          maxBuffered = Math.max(maxBuffered, transport.buffered_amount());
        }
        stats.resolve({ maxBuffered, highWater });
        await send({ type: 'sse.close' });
      },
      { writeHighWaterMark: high, writeLowWaterMark: 16384 },
    );
    const client = await openSse(harness.port);
    client.socket.pause();
    await blocked.promise;
    client.socket.resume();
    const result = await stats.promise;
    expect(result.highWater).toBeGreaterThan(0);
    expect(result.maxBuffered).toBeLessThan(high);
    await client.closed;
    expect(client.stream.events.length).toBe(total);
    expect(client.stream.events.at(-1)?.lastEventId).toBe(String(total - 1));
  });
});
