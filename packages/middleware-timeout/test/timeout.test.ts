import type { App, HttpScope, SendEvent } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestTimeoutError, timeout } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const chunked: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 201, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'one ', more: true });
  await send({ type: 'http.response.body', body: 'two' });
};

function httpScope(): HttpScope {
  return {
    type: 'http',
    pagi: { version: '0.3', spec_version: '0.3' },
    http_version: '1.1',
    method: 'GET',
    scheme: 'http',
    path: '/',
    query_string: '',
    root_path: '',
    headers: [],
    extensions: {},
  } as unknown as HttpScope;
}

afterEach(() => vi.restoreAllMocks());

describe('timeout', () => {
  it('passes a response that finishes in time through untouched, streamed', async () => {
    const res = await new TestClient(timeout({ ms: 2000 })(chunked)).get('/');
    expect(res.status).toBe(201);
    expect(res.text).toBe('one two');
    expect(res.events.filter((e) => (e as { type: string }).type === 'http.response.body')).toHaveLength(2);
  });

  it('uses one timer per request and clears it when the response completes', async () => {
    const set = vi.spyOn(globalThis, 'setTimeout');
    const clear = vi.spyOn(globalThis, 'clearTimeout');
    await new TestClient(timeout({ ms: 4321 })(chunked)).get('/');
    const ours = set.mock.results.filter((_, i) => set.mock.calls[i]![1] === 4321);
    expect(ours).toHaveLength(1);
    expect(clear.mock.calls.map((c) => c[0])).toContain(ours[0]!.value);
  });

  it('answers 503 when the deadline passes before the response started; the app then sees a disconnect', async () => {
    let seen: unknown;
    let lateSend: Promise<void> | undefined;
    const slow: App = async (scope, receive, send) => {
      if (scope.type !== 'http') return;
      await receive(); // the request body
      seen = await receive(); // nothing more comes until the deadline
      lateSend = send({ type: 'http.response.start', status: 200 });
      await lateSend;
    };
    const res = await new TestClient(timeout({ ms: 100 })(slow)).get('/');
    expect(res.status).toBe(503);
    expect(res.text).toBe('Service Unavailable: the request took too long');
    await vi.waitFor(() => expect(seen).toEqual({ type: 'http.disconnect' }));
    await expect(lateSend).resolves.toBeUndefined();
    expect(res.events.filter((e) => (e as { type: string }).type === 'http.response.start')).toHaveLength(1);
  });

  it('takes status and body options for that answer', async () => {
    const never: App = () => new Promise(() => {});
    const res = await new TestClient(timeout({ ms: 50, status: 504, body: 'too slow' })(never)).get('/');
    expect(res.status).toBe(504);
    expect(res.text).toBe('too slow');
  });

  it('throws RequestTimeoutError after the response started, so the server aborts it (D-12)', async () => {
    const stalls: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'part', more: true });
      await sleep(5000);
    };
    const error = await new TestClient(timeout({ ms: 100 })(stalls), { timeout: 3000 }).get('/').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: 'PAGI_ERR_REQUEST_TIMEOUT', timeout: 100 });
  });

  it('resolves the app’s pending send() as a no-op at the deadline, and every later one', async () => {
    const sent: SendEvent[] = [];
    // A client that stopped reading: the body send never completes.
    const send = (event: SendEvent) => {
      sent.push(event);
      return event.type === 'http.response.body' ? new Promise<void>(() => {}) : Promise.resolve();
    };
    let pending: Promise<void> | undefined;
    let after: Promise<void> | undefined;
    const app: App = async (_scope, _receive, s) => {
      await s({ type: 'http.response.start', status: 200 });
      pending = s({ type: 'http.response.body', body: 'x', more: true });
      await pending;
      after = s({ type: 'http.response.body', body: 'y' });
      await after;
    };
    const receive = () => new Promise<never>(() => {});
    const run = timeout({ ms: 100 })(app)(httpScope(), receive as never, send as never);
    await expect(run).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(pending).resolves.toBeUndefined();
    await vi.waitFor(() => expect(after).toBeDefined());
    await expect(after).resolves.toBeUndefined();
    expect(sent.map((e) => e.type)).toEqual(['http.response.start', 'http.response.body']);
  });

  it('resolves the app’s pending receive() with http.disconnect at the deadline', async () => {
    let got: unknown;
    const app: App = async (_scope, r) => {
      got = await r();
    };
    const sent: SendEvent[] = [];
    const send = async (event: SendEvent) => {
      sent.push(event);
    };
    const receive = () => new Promise<never>(() => {}); // a client that never sends its body
    await timeout({ ms: 100 })(app)(httpScope(), receive as never, send as never);
    await vi.waitFor(() => expect(got).toEqual({ type: 'http.disconnect' }));
    expect(sent[0]).toMatchObject({ type: 'http.response.start', status: 503 });
  });

  it('ignores what the app throws after the deadline (no unhandled rejection)', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const late: App = async () => {
        await sleep(150);
        throw new Error('too late to matter');
      };
      const res = await new TestClient(timeout({ ms: 50 })(late)).get('/');
      expect(res.status).toBe(503);
      await sleep(200);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('lets the inner app’s errors before the deadline through unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(timeout({ ms: 1000 })(failing)).get('/')).rejects.toBe(boom);
  });

  it('leaves WebSocket connections alone, however long they last', async () => {
    const ws: App = async (scope, receive, send) => {
      if (scope.type !== 'websocket') return;
      await receive();
      await send({ type: 'websocket.accept' });
      await sleep(150);
      await send({ type: 'websocket.send', text: 'still here' });
    };
    const conn = await new TestClient(timeout({ ms: 50 })(ws)).websocket('/');
    expect(await conn.receiveText()).toBe('still here');
  });

  it('refuses unknown options and bad values when applied', () => {
    expect(() => timeout({ ms: 100, stauts: 504 } as never)).toThrow(/unknown option 'stauts'/);
    expect(() => timeout({} as never)).toThrow(/expected ms/);
    expect(() => timeout({ ms: 0 })).toThrow(/expected ms/);
    expect(() => timeout({ ms: 2 ** 31 })).toThrow(/expected ms/);
    expect(() => timeout({ ms: 10, status: 200 })).toThrow(/status 400–599/);
    expect(() => timeout(undefined as never)).toThrow(/options object/);
  });

  it('names its functions for stack traces', () => {
    const mw = timeout({ ms: 100 });
    expect(mw.name).toBe('timeout');
    expect(mw(chunked).name).toBe('timeout');
  });
});

describeMiddlewareChecks('timeout: the shared middleware checks of @pagi/test', timeout({ ms: 5000 }));
