import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, HeaderList, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { conditionalGet } from '../src/index.js';

const LM = 'Tue, 02 Jan 2024 03:04:05 GMT';
const BEFORE = 'Mon, 01 Jan 2024 00:00:00 GMT';
const AFTER = 'Wed, 01 Jan 2025 00:00:00 GMT';

interface Seen {
  bodySends: number;
}

/** An app answering `status` with the given headers and a two-chunk body, counting its sends. */
function appWith(headers: HeaderList, status = 200, seen: Seen = { bodySends: 0 }): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    await send({
      type: 'http.response.start',
      status,
      headers: [
        ['content-type', 'text/plain'],
        ['content-length', '7'],
        ['cache-control', 'max-age=60'],
        ...headers,
      ],
    });
    seen.bodySends++;
    await send({ type: 'http.response.body', body: 'one ', more: true });
    seen.bodySends++;
    await send({ type: 'http.response.body', body: 'two' });
  };
}

const validated = appWith([
  ['etag', '"v2"'],
  ['last-modified', LM],
  ['vary', 'Accept'],
]);

function get(app: App, headers: Record<string, string>, method = 'GET') {
  return new TestClient(conditionalGet()(app)).request(method, '/', { headers });
}

describe('conditionalGet: 304 Not Modified', () => {
  it('answers a weakly matching If-None-Match (lists, W/, *) with 304 and the §15.4.5 headers', async () => {
    for (const inm of ['"v2"', 'W/"v2"', '"x", W/"v2"', '*']) {
      const res = await get(validated, { 'if-none-match': inm });
      expect(res.status).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.header('etag')).toBe('"v2"');
      expect(res.header('last-modified')).toBe(LM);
      expect(res.header('cache-control')).toBe('max-age=60');
      expect(res.header('vary')).toBe('Accept');
      expect(res.header('content-type')).toBeUndefined();
      expect(res.header('content-length')).toBeUndefined();
    }
  });

  it('joins If-None-Match sent on several lines into one list', async () => {
    const client = new TestClient(conditionalGet()(validated));
    const res = await client.get('/', {
      headers: [
        ['if-none-match', '"a"'],
        ['if-none-match', '"v2"'],
      ],
    });
    expect(res.status).toBe(304);
  });

  it('answers If-Modified-Since not modified since with 304, and modified since with 200', async () => {
    expect((await get(validated, { 'if-modified-since': LM })).status).toBe(304);
    expect((await get(validated, { 'if-modified-since': AFTER })).status).toBe(304);
    const stale = await get(validated, { 'if-modified-since': BEFORE });
    expect(stale.status).toBe(200);
    expect(stale.text).toBe('one two');
    expect((await get(validated, { 'if-modified-since': 'not a date' })).status).toBe(200);
  });

  it('answers HEAD like GET', async () => {
    const res = await get(validated, { 'if-none-match': '"v2"' }, 'HEAD');
    expect(res.status).toBe(304);
  });

  // Upstream bug (toolkit-parity §1.5): IMS was evaluated when INM was present but the response
  // had no ETag. RFC 9110 §13.1.3: IMS is ignored whenever INM is present.
  it('ignores If-Modified-Since when If-None-Match is present, even without an ETag (upstream bug)', async () => {
    const noEtag = appWith([['last-modified', LM]]);
    const res = await get(noEtag, { 'if-none-match': '"v2"', 'if-modified-since': AFTER });
    expect(res.status).toBe(200);
    expect(res.text).toBe('one two');
    const withEtag = await get(validated, { 'if-none-match': '"other"', 'if-modified-since': AFTER });
    expect(withEtag.status).toBe(200);
  });

  it('drops the app body without reading it, and never opens a file body', async () => {
    const seen = { bodySends: 0 };
    const res = await get(appWith([['etag', '"v2"']], 200, seen), { 'if-none-match': '"v2"' });
    expect(res.status).toBe(304);
    expect(seen.bodySends).toBe(2);
    expect(res.events.filter((e) => (e as { type: string }).type === 'http.response.body')).toHaveLength(1);

    const fileApp: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['etag', '"f"']] });
      await send({ type: 'http.response.body', file: '/definitely/not/there' });
    };
    const fileRes = await get(fileApp, { 'if-none-match': '"f"' });
    expect(fileRes.status).toBe(304);
    expect(fileRes.body.length).toBe(0);
  });

  it('drops trailers of a replaced response', async () => {
    const withTrailers: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['etag', '"t"']], trailers: true });
      await send({ type: 'http.response.body', body: 'x' });
      await send({ type: 'http.response.trailers', headers: [['x-sum', '1']] });
    };
    const res = await get(withTrailers, { 'if-none-match': '"t"' });
    expect(res.status).toBe(304);
    expect(res.events.map((e) => (e as { type: string }).type)).toEqual([
      'http.response.start',
      'http.response.body',
    ]);
  });
});

describe('conditionalGet: 412 Precondition Failed', () => {
  it('answers an If-Match that does not match strongly with 412 (no If-Match support upstream)', async () => {
    for (const im of ['"v1"', 'W/"v2"']) {
      const res = await get(validated, { 'if-match': im });
      expect(res.status).toBe(412);
      expect(res.text).toBe('Precondition Failed');
      expect(res.header('content-length')).toBe('19');
    }
    expect((await get(validated, { 'if-match': '"v1", "v2"' })).status).toBe(200);
    expect((await get(validated, { 'if-match': '*' })).status).toBe(200);
  });

  it('answers an If-Unmodified-Since older than Last-Modified with 412', async () => {
    expect((await get(validated, { 'if-unmodified-since': BEFORE })).status).toBe(412);
    expect((await get(validated, { 'if-unmodified-since': LM })).status).toBe(200);
    // If-Match present: If-Unmodified-Since is not evaluated (RFC 9110 §13.2.2 step 2).
    expect((await get(validated, { 'if-match': '"v2"', 'if-unmodified-since': BEFORE })).status).toBe(200);
  });

  it('sends no body for HEAD', async () => {
    const res = await get(validated, { 'if-match': '"v1"' }, 'HEAD');
    expect(res.status).toBe(412);
    expect(res.body.length).toBe(0);
  });
});

describe('conditionalGet: what it leaves alone', () => {
  it('leaves non-2xx responses alone (RFC 9110 §13.2.1)', async () => {
    for (const status of [404, 500, 301]) {
      const res = await get(appWith([['etag', '"v2"']], status), {
        'if-none-match': '"v2"',
        'if-match': '"x"',
      });
      expect(res.status).toBe(status);
      expect(res.text).toBe('one two');
    }
  });

  it('leaves methods other than GET/HEAD to the app (it has acted before it responds)', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await get(validated, { 'if-none-match': '"v2"', 'if-match': '"x"' }, method);
      expect(res.status).toBe(200);
    }
  });

  it('passes the very same send through when the request has no condition', async () => {
    let inner: unknown;
    const spy: App = async (_scope, _receive, send) => {
      inner = send;
    };
    const send = async () => {};
    const scope = { type: 'http', method: 'GET', headers: [] as HeaderList } as unknown as Scope;
    await conditionalGet()(spy)(scope, async () => ({ type: 'http.disconnect' }) as never, send);
    expect(inner).toBe(send);
  });

  it('streams a proceeding response through unbuffered, under backpressure', async () => {
    const res = await get(validated, { 'if-none-match': '"other"' });
    expect(res.status).toBe(200);
    expect(res.events.filter((e) => (e as { type: string }).type === 'http.response.body')).toHaveLength(2);
    const slow = await new TestClient(conditionalGet()(validated)).get('/', {
      headers: { 'if-none-match': '"other"' },
      highWaterMark: 1,
    });
    expect(slow.text).toBe('one two');
  });

  it('keeps a file body of a proceeding response as a file body', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cg-'));
    const file = join(dir, 'f.txt');
    writeFileSync(file, 'file!');
    const fileApp: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['etag', '"f"']] });
      await send({ type: 'http.response.body', file });
    };
    const res = await get(fileApp, { 'if-none-match': '"g"' });
    expect(res.text).toBe('file!');
    expect(res.events.find((e) => (e as { type: string }).type === 'http.response.body')).toMatchObject({
      file,
    });
  });

  it('passes other scope types through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await conditionalGet()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
  });

  it('lets the inner app’s errors through unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(conditionalGet()(failing)).get('/')).rejects.toBe(boom);
  });

  it('refuses any option when applied, not per request', () => {
    expect(() => conditionalGet({ weak: true } as never)).toThrow(/unknown option 'weak'/);
  });

  it('names its functions for stack traces', () => {
    const mw = conditionalGet();
    expect(mw.name).toBe('conditionalGet');
    expect(mw(validated).name).toBe('conditionalGet');
  });
});

// The shared checks every middleware runs: lifespan and unhandled scope types pass through
// untouched, the caller's scope is never mutated, a streamed body stays streamed, every send
// passes the spec's validator.
describeMiddlewareChecks('conditionalGet: the shared middleware checks of @pagi/test', conditionalGet());
