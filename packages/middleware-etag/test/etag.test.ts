import { createHash } from 'node:crypto';
import { utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, HeaderList, HttpResponseBodyEvent, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { etag } from '../src/index.js';

/** An app sending `status`, `headers` and the given body events. */
function appSending(status: number, headers: HeaderList, ...bodies: HttpResponseBodyEvent[]): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    await send({ type: 'http.response.start', status, headers });
    for (const body of bodies) await send(body);
  };
}

const body = (text: string, more = false): HttpResponseBodyEvent => ({
  type: 'http.response.body',
  body: text,
  more,
});
const sha1 = (text: string) => createHash('sha1').update(text).digest('base64url');
const bodyEvents = (events: unknown[]) =>
  events.filter((e) => (e as { type: string }).type === 'http.response.body');
const get = (mw: ReturnType<typeof etag>, app: App, method = 'GET') =>
  new TestClient(mw(app)).request(method, '/');

let file: string;
const mtime = new Date('2024-03-04T05:06:07.000Z');
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'etag-'));
  file = join(dir, 'data.txt');
  writeFileSync(file, '0123456789abcdefghij');
  utimesSync(file, mtime, mtime);
});

describe('etag: hashed bodies', () => {
  it('adds a strong tag from the length and SHA-1 of a body sent in one event, status kept', async () => {
    const res = await get(etag(), appSending(201, [['content-type', 'text/plain']], body('hello')));
    expect(res.status).toBe(201);
    expect(res.header('etag')).toBe(`"5-${sha1('hello')}"`);
    expect(res.text).toBe('hello');
  });

  it('hashes a body sent in several chunks within the limit, as one', async () => {
    const res = await get(etag(), appSending(200, [], body('hel', true), body('lo')));
    expect(res.header('etag')).toBe(`"5-${sha1('hello')}"`);
  });

  it('weak: true sends W/"…"', async () => {
    const res = await get(etag({ weak: true }), appSending(200, [], body('hello')));
    expect(res.header('etag')).toBe(`W/"5-${sha1('hello')}"`);
  });

  it('algorithm picks the node:crypto hash', async () => {
    const res = await get(etag({ algorithm: 'sha256' }), appSending(200, [], body('hello')));
    expect(res.header('etag')).toBe(`"5-${createHash('sha256').update('hello').digest('base64url')}"`);
  });

  it('limit: a larger body streams on untouched and untagged, chunk by chunk, under backpressure', async () => {
    const app = appSending(200, [], body('aaaa', true), body('bbbb', true), body('cc'));
    const res = await new TestClient(etag({ limit: 5 })(app)).get('/', { highWaterMark: 1 });
    expect(res.header('etag')).toBeUndefined();
    expect(res.text).toBe('aaaabbbbcc');
    expect(bodyEvents(res.events)).toHaveLength(3);
    const fits = await get(etag({ limit: 10 }), app);
    expect(fits.header('etag')).toBe(`"a-${sha1('aaaabbbbcc')}"`);
  });

  it('the same body gets the same tag, another body another tag', async () => {
    const a = await get(etag(), appSending(200, [], body('same')));
    const b = await get(etag(), appSending(200, [], body('sa', true), body('me')));
    const c = await get(etag(), appSending(200, [], body('diff')));
    expect(a.header('etag')).toBe(b.header('etag'));
    expect(a.header('etag')).not.toBe(c.header('etag'));
  });

  it('one instance tags repeated, changed and byte bodies right (the last string tag is remembered)', async () => {
    const mw = etag();
    let next: HttpResponseBodyEvent = body('same');
    const app = mw(async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send(next);
    });
    const client = new TestClient(app);
    const tagOf = async (event: HttpResponseBodyEvent) => {
      next = event;
      return (await client.get('/')).header('etag');
    };
    const bytes = new TextEncoder().encode('same');
    expect(await tagOf(body('same'))).toBe(`"4-${sha1('same')}"`);
    expect(await tagOf(body('same'))).toBe(`"4-${sha1('same')}"`);
    expect(await tagOf(body('diff'))).toBe(`"4-${sha1('diff')}"`);
    expect(await tagOf({ type: 'http.response.body', body: bytes })).toBe(`"4-${sha1('same')}"`);
    bytes[0] = 0x53; // 'Same': bytes are hashed again, never taken from the memo
    expect(await tagOf({ type: 'http.response.body', body: bytes })).toBe(`"4-${sha1('Same')}"`);
    expect(await tagOf(body('same'))).toBe(`"4-${sha1('same')}"`);
  });
});

describe('etag: what it leaves alone', () => {
  it('skips a response that already has an ETag, without holding it', async () => {
    const res = await get(etag(), appSending(200, [['etag', '"mine"']], body('a', true), body('b')));
    expect(res.header('etag')).toBe('"mine"');
    expect(bodyEvents(res.events)).toHaveLength(2);
  });

  // Upstream bug (toolkit-parity §1 row 11): every status was tagged, 404/500 included.
  it('tags only 2xx responses (upstream tagged 404/500), and not 204/304/206', async () => {
    for (const status of [404, 500, 301]) {
      const res = await get(etag(), appSending(status, [], body('x')));
      expect(res.status).toBe(status);
      expect(res.header('etag')).toBeUndefined();
    }
    expect((await get(etag(), appSending(204, []))).header('etag')).toBeUndefined();
    const partial = await get(etag(), appSending(206, [['content-range', 'bytes 0-0/2']], body('x')));
    expect(partial.header('etag')).toBeUndefined();
  });

  it('does not tag HEAD (no body to hash; put head() outside it)', async () => {
    const res = await get(etag(), appSending(200, [['content-length', '5']], body('')), 'HEAD');
    expect(res.header('etag')).toBeUndefined();
  });

  it('passes other scope types through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await etag()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
  });

  it('lets the inner app’s errors through unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(etag()(failing)).get('/')).rejects.toBe(boom);
  });
});

// Upstream bug (toolkit-parity §0.3): a file body was dropped and tagged as the MD5 of ''.
describe('etag: file bodies are never read or dropped', () => {
  const fileTag = `W/"14-${mtime.getTime().toString(16)}"`;

  it('tags a `file` body weakly from size and mtime (like Response.file) and sends it unchanged', async () => {
    const event: HttpResponseBodyEvent = { type: 'http.response.body', file };
    const res = await get(etag(), appSending(200, [['content-length', '20']], event));
    expect(res.header('etag')).toBe(fileTag);
    expect(res.text).toBe('0123456789abcdefghij');
    expect(bodyEvents(res.events)).toEqual([event]);
  });

  it('tags an `fh` body (FileHandle and fd) the same way', async () => {
    const handle = await open(file, 'r');
    try {
      const res = await get(etag(), appSending(200, [], { type: 'http.response.body', fh: handle }));
      expect(res.header('etag')).toBe(fileTag);
      expect(res.text).toBe('0123456789abcdefghij');
      const fd = await get(etag(), appSending(200, [], { type: 'http.response.body', fh: handle.fd }));
      expect(fd.header('etag')).toBe(fileTag);
    } finally {
      await handle.close();
    }
  });

  it('names the slice in the tag of an offset/length body', async () => {
    const res = await get(
      etag(),
      appSending(200, [], { type: 'http.response.body', file, offset: 2, length: 3 }),
    );
    expect(res.header('etag')).toBe(`W/"14-${mtime.getTime().toString(16)}-2-3"`);
    expect(res.text).toBe('234');
  });

  it('files: false leaves file bodies untagged', async () => {
    const res = await get(etag({ files: false }), appSending(200, [], { type: 'http.response.body', file }));
    expect(res.header('etag')).toBeUndefined();
    expect(res.text).toBe('0123456789abcdefghij');
  });

  it('a file it cannot stat goes on untagged (the server reports it)', async () => {
    const events: unknown[] = [];
    const record = async (e: unknown) => {
      events.push(e);
    };
    const app = appSending(200, [], { type: 'http.response.body', file: join(file, 'nope') });
    const scope = { type: 'http', method: 'GET', path: '/', headers: [] } as unknown as Scope;
    await etag()(app)(scope, async () => ({ type: 'http.disconnect' }) as never, record);
    expect(events).toEqual([
      { type: 'http.response.start', status: 200, headers: [] },
      { type: 'http.response.body', file: join(file, 'nope') },
    ]);
  });
});

describe('etag: options', () => {
  it('refuses unknown options and bad values when applied, not per request', () => {
    expect(() => etag({ week: true } as never)).toThrow(/unknown option 'week'/);
    expect(() => etag({ weak: 'yes' } as never)).toThrow(/weak to be a boolean/);
    expect(() => etag({ files: 1 } as never)).toThrow(/files to be a boolean/);
    expect(() => etag({ limit: -1 })).toThrow(/limit/);
    expect(() => etag({ limit: 1.5 })).toThrow(/limit/);
    expect(() => etag({ algorithm: 'nope' })).toThrow(/unknown hash algorithm 'nope'/);
  });

  it('names its functions for stack traces', () => {
    const mw = etag();
    expect(mw.name).toBe('etag');
    expect(mw(appSending(200, [])).name).toBe('etag');
  });
});

// The shared checks every middleware runs: lifespan and unhandled scope types pass through
// untouched, the caller's scope is never mutated, a streamed body stays streamed, every send
// passes the spec's validator.
// etag holds bodies up to `limit` by design (a tag is only known at the end): the default is
// checked without body-streamed, and limit 0 shows that above the limit the body streams.
describeMiddlewareChecks('etag: the shared middleware checks of @pagi/test', etag(), {
  skip: ['body-streamed'],
});
describeMiddlewareChecks(
  'etag({ limit: 0 }): the shared middleware checks of @pagi/test',
  etag({ limit: 0 }),
);

describe('etag: the same header list again', () => {
  it('tags a repeated response the same, and follows a pair the app changed in place', async () => {
    const type: [string, string] = ['content-type', 'text/plain'];
    const list: HeaderList = [type];
    const mw = etag();
    const app = appSending(200, list, body('hello'));
    const first = await get(mw, app);
    const second = await get(mw, app);
    expect(second.headers).toEqual(first.headers);
    expect(second.headerValues('etag')).toEqual([`"5-${sha1('hello')}"`]);
    expect(list).toEqual([['content-type', 'text/plain']]);
    type[1] = 'text/html';
    const changed = await get(mw, app);
    expect(changed.header('content-type')).toBe('text/html');
    expect(changed.headerValues('etag')).toEqual([`"5-${sha1('hello')}"`]);
  });
});
