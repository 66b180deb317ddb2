import { writeFileSync } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, HeaderList, HttpResponseBodyEvent, HttpResponseStartEvent, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentLength } from '../src/index.js';

type Event =
  | HttpResponseStartEvent
  | HttpResponseBodyEvent
  | { type: 'http.response.trailers'; headers: HeaderList };

function appSending(status: number, headers: HeaderList, ...rest: Event[]): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    await send({ type: 'http.response.start', status, headers });
    for (const e of rest) await send(e as never);
  };
}

const body = (b: string | Uint8Array, more = false): HttpResponseBodyEvent => ({
  type: 'http.response.body',
  body: b,
  more,
});
const bodyEvents = (events: unknown[]) =>
  events.filter((e) => (e as { type: string }).type === 'http.response.body');
const run = (mw: ReturnType<typeof contentLength>, app: App, method = 'GET') =>
  new TestClient(mw(app)).request(method, '/');

let file: string;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cl-'));
  file = join(dir, 'data.txt');
  writeFileSync(file, '0123456789abcdefghij');
});

describe('contentLength: bodies', () => {
  it('adds the byte length of a body complete in one event (UTF-8), status and headers kept', async () => {
    const res = await run(contentLength(), appSending(201, [['x-a', '1']], body('héllo')));
    expect(res.status).toBe(201);
    expect(res.header('content-length')).toBe('6');
    expect(res.header('x-a')).toBe('1');
    expect(res.text).toBe('héllo');
  });

  it('adds 0 for an empty final body', async () => {
    expect(
      (await run(contentLength(), appSending(200, [], { type: 'http.response.body' }))).header(
        'content-length',
      ),
    ).toBe('0');
  });

  it('limit 0 (default): a body in several events streams on without one', async () => {
    const res = await run(contentLength(), appSending(200, [], body('ab', true), body('c')));
    expect(res.header('content-length')).toBeUndefined();
    expect(bodyEvents(res.events)).toHaveLength(2);
  });

  it('limit: holds chunks up to the limit to learn the length, keeping the events', async () => {
    const bytes = new Uint8Array([0x61, 0x62]);
    const app = appSending(200, [], body(bytes, true), body('cd', true), body('e'));
    const res = await run(contentLength({ limit: 4 }), app);
    expect(res.header('content-length')).toBe('5');
    expect(res.text).toBe('abcde');
    expect(bodyEvents(res.events)).toHaveLength(3);
  });

  it('limit: a body that outgrows it streams on without one, in order, under backpressure', async () => {
    const app = appSending(200, [], body('ab', true), body('cd', true), body('e'));
    const res = await new TestClient(contentLength({ limit: 3 })(app)).get('/', { highWaterMark: 1 });
    expect(res.header('content-length')).toBeUndefined();
    expect(res.text).toBe('abcde');
  });

  it('copies held byte chunks (the app may reuse its buffer)', async () => {
    const app: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      const buf = new Uint8Array([0x61]);
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: buf, more: true });
      buf[0] = 0x7a;
      await send({ type: 'http.response.body', body: 'b' });
    };
    const res = await run(contentLength({ limit: 10 }), app);
    expect(res.text).toBe('ab');
  });
});

// Upstream bug (toolkit-parity §0.3): a file body got `content-length: 0` while 3000 bytes followed.
describe('contentLength: file bodies', () => {
  it('gives a `file` body its size, and never reads or drops it', async () => {
    const event: HttpResponseBodyEvent = { type: 'http.response.body', file };
    const res = await run(contentLength(), appSending(200, [], event));
    expect(res.header('content-length')).toBe('20');
    expect(res.text).toBe('0123456789abcdefghij');
    expect(bodyEvents(res.events)).toEqual([event]);
  });

  it('honours offset and length (clamped to the file), and fh bodies', async () => {
    const slice = await run(
      contentLength(),
      appSending(200, [], { type: 'http.response.body', file, offset: 15, length: 100 }),
    );
    expect(slice.header('content-length')).toBe('5');
    expect(slice.text).toBe('fghij');
    const handle = await open(file, 'r');
    try {
      const res = await run(
        contentLength(),
        appSending(200, [], { type: 'http.response.body', fh: handle, offset: 2, length: 3 }),
      );
      expect(res.header('content-length')).toBe('3');
      expect(res.text).toBe('234');
    } finally {
      await handle.close();
    }
  });

  it('files: false, or a file it cannot stat: no header, the body untouched', async () => {
    expect(
      (
        await run(contentLength({ files: false }), appSending(200, [], { type: 'http.response.body', file }))
      ).header('content-length'),
    ).toBeUndefined();
    const events: unknown[] = [];
    const missing = { type: 'http.response.body' as const, file: join(file, 'nope') };
    const scope = { type: 'http', method: 'GET', path: '/', headers: [] } as unknown as Scope;
    await contentLength()(appSending(200, [], missing))(
      scope,
      async () => ({ type: 'http.disconnect' }) as never,
      async (e) => {
        events.push(e);
      },
    );
    expect(events).toEqual([{ type: 'http.response.start', status: 200, headers: [] }, missing]);
  });
});

describe('contentLength: what it leaves alone', () => {
  it('never on 1xx/204/304 responses', async () => {
    for (const status of [204, 304]) {
      const res = await run(contentLength(), appSending(status, [], { type: 'http.response.body' }));
      expect(res.header('content-length')).toBeUndefined();
    }
  });

  it('never with Transfer-Encoding, promised trailers, or a Content-Length of the app', async () => {
    const te = await run(contentLength(), appSending(200, [['transfer-encoding', 'chunked']], body('abc')));
    expect(te.header('content-length')).toBeUndefined();
    const own = await run(contentLength(), appSending(200, [['content-length', '3']], body('abc')));
    expect(own.headerValues('content-length')).toEqual(['3']);
    const trailers: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [], trailers: true });
      await send({ type: 'http.response.body', body: 'abc' });
      await send({ type: 'http.response.trailers', headers: [['x-sum', '1']] });
    };
    expect((await run(contentLength(), trailers)).header('content-length')).toBeUndefined();
  });

  it('never on HEAD (the empty body is not the length; put head() outside it)', async () => {
    const res = await run(contentLength(), appSending(200, [], { type: 'http.response.body' }), 'HEAD');
    expect(res.header('content-length')).toBeUndefined();
  });

  it('hands over a held start when the app returns without a final body', async () => {
    const events: unknown[] = [];
    const scope = { type: 'http', method: 'GET', path: '/', headers: [] } as unknown as Scope;
    const app = appSending(200, [], body('ab', true));
    await contentLength({ limit: 10 })(app)(
      scope,
      async () => ({ type: 'http.disconnect' }) as never,
      async (e) => {
        events.push(e);
      },
    );
    expect(events).toEqual([{ type: 'http.response.start', status: 200, headers: [] }, body('ab', true)]);
  });

  it('passes other scope types through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await contentLength()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
  });

  it('lets the inner app’s errors through unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(contentLength()(failing)).get('/')).rejects.toBe(boom);
  });
});

describe('contentLength: options', () => {
  it('refuses unknown options and bad values when applied, not per request', () => {
    expect(() => contentLength({ limt: 1 } as never)).toThrow(/unknown option 'limt'/);
    expect(() => contentLength({ limit: -1 })).toThrow(/limit/);
    expect(() => contentLength({ limit: Number.NaN })).toThrow(/limit/);
    expect(() => contentLength({ files: 'no' } as never)).toThrow(/files to be a boolean/);
  });

  it('names its functions for stack traces', () => {
    const mw = contentLength();
    expect(mw.name).toBe('contentLength');
    expect(mw(appSending(200, [])).name).toBe('contentLength');
  });
});

// The shared checks every middleware runs: lifespan and unhandled scope types pass through
// untouched, the caller's scope is never mutated, a streamed body stays streamed, every send
// passes the spec's validator.
describeMiddlewareChecks('contentLength: the shared middleware checks of @pagi/test', contentLength());
