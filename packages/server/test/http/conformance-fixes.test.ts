import type { ReceiveEvent } from '@pagi/spec';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, rawClient, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

type HttpEvent = ReceiveEvent<'http'>;

function describeEvent(ev: HttpEvent): string {
  return ev.type === 'http.request' ? `${Buffer.from(ev.body).toString()}|${ev.more}` : ev.type;
}

describe('D-15: receive() while a call is pending', () => {
  it('returns the same promise and one event when the body is already buffered', async () => {
    const seen = deferred<{ same: boolean; sameEvent: boolean; event: string; next: string }>();
    s = await startServer(async (_scope, receive, send) => {
      // Let the body reach the server's buffer before the first receive().
      const a = receive();
      const b = receive();
      const event = (await b) as HttpEvent;
      const sameEvent = (await a) === event;
      // After the promise settled, the next call gets the next event (here: the body is done).
      const next = await Promise.race([
        receive().then((ev) => (ev as HttpEvent).type),
        new Promise<string>((resolve) => setImmediate(resolve, 'pending')),
      ]);
      seen.resolve({ same: a === b, sameEvent, event: describeEvent(event), next });
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'ok' });
    });
    const res = await request(s.url, { method: 'POST', body: 'payload' });
    expect(await res.body.text()).toBe('ok');
    expect(await seen.promise).toEqual({
      same: true,
      sameEvent: true,
      event: 'payload|false',
      next: 'pending',
    });
  });

  it('returns the same promise for a bodyless request', async () => {
    const seen = deferred<{ same: boolean; event: string }>();
    s = await startServer(async (_scope, receive, send) => {
      const a = receive();
      const b = receive();
      seen.resolve({ same: a === b, event: describeEvent((await b) as HttpEvent) });
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    });
    await (await request(s.url)).body.dump();
    expect(await seen.promise).toEqual({ same: true, event: '|false' });
  });

  it('hands the next chunk to the next call once the first promise settled', async () => {
    const firstSeen = deferred<string>();
    const seen = deferred<string[]>();
    s = await startServer(async (_scope, receive, send) => {
      const events: string[] = [];
      for (;;) {
        const ev = (await receive()) as HttpEvent;
        events.push(describeEvent(ev));
        if (events.length === 1) firstSeen.resolve(events[0]!);
        if (ev.type !== 'http.request' || !ev.more) break;
      }
      seen.resolve(events);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'done' });
    });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc');
    expect(await firstSeen.promise).toBe('abc|true');
    c.socket.write('def');
    await c.waitFor('done');
    c.socket.destroy();
    // The chunk that completes the declared length is the final one: no empty tail event.
    expect(await seen.promise).toEqual(['abc|true', 'def|false']);
  });
});

describe('§4.1.1: the last Content-Length chunk', () => {
  it('carries more: false, with no trailing empty event', async () => {
    const seen = deferred<string[]>();
    s = await startServer(async (_scope, receive, send) => {
      const events: string[] = [];
      for (;;) {
        const ev = (await receive()) as HttpEvent;
        events.push(describeEvent(ev));
        if (ev.type !== 'http.request' || !ev.more) break;
      }
      seen.resolve(events);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'ok' });
    });
    const res = await request(s.url, { method: 'POST', body: 'exactly-this' });
    expect(await res.body.text()).toBe('ok');
    expect(await seen.promise).toEqual(['exactly-this|false']);
  });

  it('still ends a chunked body whose terminator comes alone with an empty more: false', async () => {
    const firstSeen = deferred<void>();
    const seen = deferred<string[]>();
    s = await startServer(async (_scope, receive, send) => {
      const events: string[] = [];
      for (;;) {
        const ev = (await receive()) as HttpEvent;
        events.push(describeEvent(ev));
        firstSeen.resolve();
        if (ev.type !== 'http.request' || !ev.more) break;
      }
      seen.resolve(events);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'done' });
    });
    const c = await rawClient(s.port);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await firstSeen.promise;
    c.socket.write('0\r\n\r\n');
    await c.waitFor('done');
    c.socket.destroy();
    expect(await seen.promise).toEqual(['hello|true', '|false']);
  });
});

describe('§2.4: one header-name policy on every path', () => {
  it('rejects an uppercase response header name with PAGI_ERR_VALIDATION and sends nothing of it', async () => {
    const seen = deferred<string | undefined>();
    s = await startServer(async (_scope, _receive, send) => {
      try {
        await send({ type: 'http.response.start', status: 200, headers: [['X-Upper', '1']] });
        seen.resolve(undefined);
      } catch (error) {
        seen.resolve((error as { code?: string }).code);
      }
      await send({ type: 'http.response.start', status: 200, headers: [['x-lower', '1']] });
      await send({ type: 'http.response.body', body: 'ok' });
    });
    const res = await request(s.url);
    expect(await res.body.text()).toBe('ok');
    expect(await seen.promise).toBe('PAGI_ERR_VALIDATION');
    expect(res.headers['x-lower']).toBe('1');
    expect(res.headers['x-upper']).toBeUndefined();
  });

  it('rejects an uppercase trailer name the same way', async () => {
    const seen = deferred<string | undefined>();
    s = await startServer(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, trailers: true });
      await send({ type: 'http.response.body', body: 'ok' });
      try {
        await send({ type: 'http.response.trailers', headers: [['Grpc-Status', '0']] });
        seen.resolve(undefined);
      } catch (error) {
        seen.resolve((error as { code?: string }).code);
      }
      await send({ type: 'http.response.trailers', headers: [['grpc-status', '0']] });
    });
    const res = await request(s.url);
    expect(await res.body.text()).toBe('ok');
    expect(await seen.promise).toBe('PAGI_ERR_VALIDATION');
  });
});
