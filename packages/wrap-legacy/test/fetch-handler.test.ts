/** fromFetchHandler with plain fetch handlers: failures and scope checks. */
import { request } from 'undici';
import { afterEach, describe, expect, test } from 'vitest';
import { fromFetchHandler, fromNodeHandler, installFastResponse } from '../src/index.js';
import { recordingLogger, serve } from './support/serve.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

test('a handler that throws gives a logged 500', async () => {
  const log = recordingLogger();
  const served = await serve(
    fromFetchHandler(
      () => {
        throw new Error('fetch boom');
      },
      { logger: log.logger },
    ),
  );
  stop = served.close;
  const res = await request(`${served.url}/`);
  expect(res.statusCode).toBe(500);
  expect(await res.body.text()).toBe('Internal Server Error');
  expect((log.lines[0]?.error as { code?: string } | undefined)?.code).toBe('PAGI_ERR_LEGACY_HANDLER');
});

test('a Response body that fails mid-way is logged and the response does not complete normally', async () => {
  const log = recordingLogger();
  const served = await serve(
    fromFetchHandler(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('part'));
              setTimeout(() => controller.error(new Error('stream broke')), 10);
            },
          }),
        ),
      { logger: log.logger },
    ),
  );
  stop = served.close;
  const res = await request(`${served.url}/`);
  await res.body.text().catch(() => undefined);
  expect(log.lines.some((l) => l.message.includes('stream broke'))).toBe(true);
});

test('the from* bridges refuse scopes other than http', async () => {
  const scope = { type: 'websocket' } as never;
  const noop = async () => ({}) as never;
  await expect(fromFetchHandler(() => new Response(''))(scope, noop, noop)).rejects.toMatchObject({
    code: 'PAGI_ERR_UNSUPPORTED_SCOPE',
  });
  expect(() => fromNodeHandler(() => {})(scope, noop, noop)).toThrow(/unsupported scope type 'websocket'/);
});

/** A scope whose `pagi.connection` records on_disconnect calls and can report a disconnect. */
function fakeScope(goneAlready = false, method = 'GET', overrides: Record<string, unknown> = {}) {
  const callbacks: ((reason: string) => void)[] = [];
  const connection = {
    registered: 0,
    on_disconnect(cb: (reason: string) => void) {
      connection.registered++;
      if (goneAlready) cb('client_closed');
      else callbacks.push(cb);
    },
    disconnect: () => {
      for (const cb of callbacks) cb('client_closed');
    },
  };
  const scope = {
    type: 'http',
    method,
    scheme: 'http',
    path: '/',
    raw_path: '/',
    query_string: '',
    root_path: '',
    headers: [['host', 'x.test']],
    'pagi.connection': connection,
    ...overrides,
  } as never;
  return { scope, connection };
}
const events: { type: string }[] = [];
const recordSend = async (event: { type: string }) => {
  events.push(event);
};
const endless = async () => ({ type: 'http.request', body: new Uint8Array(0), more: false }) as never;

test('a synchronous handler answering a lightweight Response registers no disconnect callback', async () => {
  const { scope, connection } = fakeScope();
  events.length = 0;
  const uninstall = installFastResponse();
  try {
    await fromFetchHandler(() => new Response('hi'))(scope, endless, recordSend as never);
  } finally {
    uninstall();
  }
  expect(connection.registered).toBe(0);
  expect(events.map((e) => e.type)).toEqual(['http.response.start', 'http.response.body']);
});

test('an async handler is watched: its streamed body is cancelled when the client goes away', async () => {
  const { scope, connection } = fakeScope();
  let cancelled = false;
  const app = fromFetchHandler(async () => {
    await new Promise((r) => setTimeout(r, 5));
    return new Response(
      new ReadableStream({
        pull: () => new Promise(() => {}), // never produces: only a cancel ends it
        cancel() {
          cancelled = true;
        },
      }),
    );
  });
  const done = app(scope, endless, recordSend as never);
  expect(connection.registered).toBe(1);
  await new Promise((r) => setTimeout(r, 20));
  connection.disconnect();
  await done;
  expect(cancelled).toBe(true);
});

test('a handler that throws for a client already gone is not logged', async () => {
  const { scope } = fakeScope(true);
  const log = recordingLogger();
  events.length = 0;
  await fromFetchHandler(
    () => {
      throw new Error('boom');
    },
    { logger: log.logger },
  )(scope, endless, recordSend as never);
  expect(log.lines).toHaveLength(0);
  expect(events).toHaveLength(0);
});

describe('methods a real Request refuses never reach the handler', () => {
  test('TRACE over a real socket is a 501 without the handler', async () => {
    let called = 0;
    const served = await serve(
      fromFetchHandler(() => {
        called++;
        return new Response('reflected');
      }),
    );
    stop = served.close;
    const res = await request(`${served.url}/`, { method: 'TRACE' });
    expect(res.statusCode).toBe(501);
    expect(res.headers.allow).toBeUndefined();
    expect(await res.body.text()).toBe('Not Implemented');
    expect(called).toBe(0);
  });

  test.each([
    ['CONNECT', 501],
    ['TRACK', 501],
    ['trace', 501],
    ['Connect', 501],
    ['BAD METHOD', 400],
    ['', 400],
    ['GET\r\n', 400],
    ['X{', 400],
  ])('%j gives a %i and no handler call', async (method, status) => {
    expect(() => new Request('http://x.test/', { method })).toThrow(TypeError);
    const { scope } = fakeScope(false, method);
    let called = 0;
    events.length = 0;
    await fromFetchHandler(() => {
      called++;
      return new Response('no');
    })(scope, endless, recordSend as never);
    expect(called).toBe(0);
    expect(events[0]).toMatchObject({ type: 'http.response.start', status });
    expect(events[1]).toMatchObject({ type: 'http.response.body', more: false });
  });

  test.each([
    ['head', 'HEAD'],
    ['get', 'GET'],
    ['Post', 'POST'],
    ['patch', 'patch'],
    ['PROPFIND', 'PROPFIND'],
  ])('%j reaches the handler as the real Request would carry it (%s)', async (method, expected) => {
    const { scope } = fakeScope(false, method);
    let seen: { method: string; real: string; body: unknown } | undefined;
    events.length = 0;
    await fromFetchHandler((req) => {
      // `clone()` builds the real Request: a lowercase `head` with a body stream used to throw.
      const real = req.clone();
      seen = { method: req.method, real: real.method, body: req.body === null ? null : 'stream' };
      return new Response('ok');
    })(scope, endless, recordSend as never);
    expect(events[0]).toMatchObject({ status: 200 });
    expect(seen?.method).toBe(expected);
    expect(seen?.real).toBe(expected);
    expect(seen?.body).toBe(expected === 'HEAD' || expected === 'GET' ? null : 'stream');
  });
});

describe('the Request url is the one a real Request reports', () => {
  async function urlSeen(overrides: Record<string, unknown>): Promise<{ url?: string; status?: number }> {
    const { scope } = fakeScope(false, 'GET', overrides);
    let url: string | undefined;
    events.length = 0;
    await fromFetchHandler((req) => {
      url = req.url;
      return new Response('ok');
    })(scope, endless, recordSend as never);
    return { url, status: (events[0] as { status?: number } | undefined)?.status };
  }

  test.each([
    ['/public/../admin', '', 'http://x.test/admin'],
    ['/a/%2e%2E/b', '', 'http://x.test/b'],
    ['/a\\b', '', 'http://x.test/a/b'],
    ['/a"b', "q='x'", 'http://x.test/a%22b?q=%27x%27'],
  ])('%j ? %j is %s', async (raw_path, query_string, expected) => {
    expect(new Request(`http://x.test${raw_path}${query_string === '' ? '' : `?${query_string}`}`).url).toBe(
      expected,
    );
    expect(await urlSeen({ raw_path, query_string })).toEqual({ url: expected, status: 200 });
  });

  test.each([
    ['a Host carrying a path', { headers: [['host', 'evil.test/admin?']] }],
    ['a Host carrying userinfo', { headers: [['host', 'u@evil.test']] }],
    ['a Host with a space', { headers: [['host', 'a b']] }],
    ['the asterisk target', { raw_path: '*' }],
  ])('%s is a 400 without the handler', async (_name, overrides) => {
    expect(await urlSeen(overrides)).toEqual({ url: undefined, status: 400 });
  });

  test('hosts taking turns each keep their own origin, a refused one stays refused', async () => {
    for (let round = 0; round < 2; round++) {
      expect(await urlSeen({ headers: [['host', 'A.test']] })).toEqual({
        url: 'http://a.test/',
        status: 200,
      });
      expect(await urlSeen({ headers: [['host', 'u@b.test']] })).toEqual({ url: undefined, status: 400 });
      expect(await urlSeen({ headers: [['host', 'b.test:80']] })).toEqual({
        url: 'http://b.test/',
        status: 200,
      });
    }
  });
});
