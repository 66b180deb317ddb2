import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, staticApp } from '../src/index.js';
import { DIGITS, HELLO, makeTree, type Tree } from './fixture.js';

let tree: Tree;
beforeAll(async () => {
  tree = await makeTree();
});
afterAll(async () => {
  await tree.remove();
});

/** The inner app: says who answered, so a fall-through is visible. */
const inner: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 299, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: `inner ${scope.method} ${scope.path}` });
};

const client = (options = {}) => new TestClient(serveStatic(tree.root, options)(inner));
const bodyEvents = (events: object[]) =>
  events.filter((e) => (e as { type: string }).type === 'http.response.body') as Record<string, unknown>[];

describe('serveStatic: serving', () => {
  it('serves a file as one file body event with type, length and validators', async () => {
    const res = await client().get('/hello.txt');
    expect(res.status).toBe(200);
    expect(res.text).toBe(HELLO);
    expect(res.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.header('content-length')).toBe(String(HELLO.length));
    expect(res.header('accept-ranges')).toBe('bytes');
    expect(res.header('last-modified')).toBe('Mon, 04 Mar 2024 05:06:07 GMT');
    expect(res.header('etag')).toMatch(/^W\/"14-[0-9a-f]+"$/);
    expect(res.header('cache-control')).toBe('public, max-age=0');
    const body = bodyEvents(res.events);
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({
      file: expect.stringMatching(/hello\.txt$/),
      offset: 0,
      length: HELLO.length,
    });
  });

  it('HEAD sends the headers and no body', async () => {
    const res = await client().head('/hello.txt');
    expect(res.status).toBe(200);
    expect(res.header('content-length')).toBe(String(HELLO.length));
    expect(res.body.byteLength).toBe(0);
  });

  it('an empty file is 200 with Content-Length 0', async () => {
    const res = await client().get('/empty.txt');
    expect(res.status).toBe(200);
    expect(res.header('content-length')).toBe('0');
    expect(res.text).toBe('');
  });

  it('uses mime-types, with octet-stream for an unknown extension', async () => {
    expect((await client().get('/style.css')).header('content-type')).toBe('text/css; charset=utf-8');
    expect((await client().get('/app.js')).header('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await client().get('/app.js.br')).header('content-type')).toBe('application/octet-stream');
  });

  it('serves a symlink that stays inside the root', async () => {
    const res = await client().get('/link-in.txt');
    expect(res.status).toBe(200);
    expect(res.text).toBe(HELLO);
  });

  it('serves below root_path when mounted', async () => {
    const res = await new TestClient(serveStatic(tree.root)(inner), { rootPath: '/assets' }).get(
      '/assets/hello.txt',
    );
    expect(res.text).toBe(HELLO);
  });
});

describe('serveStatic: methods and fall-through', () => {
  it('passes other methods to the inner app by default', async () => {
    const res = await client().post('/hello.txt');
    expect(res.status).toBe(299);
    expect(res.text).toBe('inner POST /hello.txt');
  });

  it("otherMethods: 'reject' answers 405 with Allow", async () => {
    const res = await client({ otherMethods: 'reject' }).request('DELETE', '/hello.txt');
    expect(res.status).toBe(405);
    expect(res.header('allow')).toBe('GET, HEAD');
  });

  it('falls through to the inner app on a miss, or 404 with fallthrough: false', async () => {
    expect((await client().get('/nope.txt')).text).toBe('inner GET /nope.txt');
    const res = await client({ fallthrough: false }).get('/nope.txt');
    expect(res.status).toBe(404);
    expect(res.text).toBe('Not Found');
  });

  it('fallthrough: false still passes other methods to the app', async () => {
    expect((await client({ fallthrough: false }).post('/nope')).status).toBe(299);
  });

  it('a missing root is a miss, not a crash', async () => {
    const res = await new TestClient(serveStatic(`${tree.base}/missing`)(inner)).get('/hello.txt');
    expect(res.status).toBe(299);
  });
});

describe('serveStatic: index files', () => {
  it('serves index.html for the root and a directory', async () => {
    const res = await client().get('/');
    expect(res.text).toBe('<h1>home</h1>');
    expect(res.header('content-type')).toBe('text/html; charset=utf-8');
  });

  it('tries the index list in order', async () => {
    const res = await client({ index: ['index.html', 'index.htm'] }).get('/docs/');
    expect(res.text).toBe('<h1>docs</h1>');
    expect((await client().get('/docs/')).status).toBe(299);
  });

  it('index: false serves no index; a directory without index is a miss', async () => {
    expect((await client({ index: false }).get('/')).status).toBe(299);
    expect((await client().get('/empty/')).status).toBe(299);
    expect((await client({ fallthrough: false }).get('/empty')).status).toBe(404);
  });
});

describe('serveStatic: dotfiles', () => {
  it("'ignore' (default) treats them as absent, files and directories alike", async () => {
    expect((await client().get('/.env')).text).toBe('inner GET /.env');
    expect((await client().get('/.git/config')).status).toBe(299);
    expect((await client({ fallthrough: false }).get('/.env')).status).toBe(404);
  });

  it("'deny' answers 403", async () => {
    expect((await client({ dotfiles: 'deny' }).get('/.env')).status).toBe(403);
  });

  it("'allow' serves them", async () => {
    expect((await client({ dotfiles: 'allow' }).get('/.env')).text).toBe('SECRET=1');
  });
});

describe('serveStatic: traversal and hostile paths', () => {
  const hostile = [
    '/..%2f..%2fetc/passwd',
    '/%2e%2e/',
    '/%2e%2e/secret/passwd',
    '/a/../../secret/passwd',
    '/\\..\\',
    '/%5c..%5csecret',
    '/%00',
    '/hello.txt%00.png',
    '/./hello.txt',
  ];
  for (const path of hostile) {
    it(`refuses ${path} with 400, never reaching the inner app`, async () => {
      const res = await client().get(path);
      expect(res.status).toBe(400);
      expect(res.text).toBe('Bad Request');
    });
  }

  it('an absolute //etc/passwd stays below the root (a miss)', async () => {
    const res = await client({ fallthrough: false }).get('//etc/passwd');
    expect(res.status).toBe(404);
  });

  it('does not follow a symlink (file or directory) out of the root', async () => {
    const c = client({ fallthrough: false });
    expect((await c.get('/link-out.txt')).status).toBe(404);
    expect((await c.get('/dir-out/passwd')).status).toBe(404);
  });

  it('a sibling directory sharing the root as a name prefix is outside (boundary check)', async () => {
    expect((await client({ fallthrough: false }).get('/other/leak.txt')).status).toBe(404);
  });
});

describe('serveStatic: conditional requests', () => {
  it('If-None-Match with the ETag → 304 keeping only the allowed headers', async () => {
    const first = await client({ maxAge: 60 }).get('/hello.txt');
    const res = await client({ maxAge: 60 }).get('/hello.txt', {
      headers: { 'if-none-match': first.header('etag')! },
    });
    expect(res.status).toBe(304);
    expect(res.body.byteLength).toBe(0);
    expect(res.header('etag')).toBe(first.header('etag'));
    expect(res.header('cache-control')).toBe('public, max-age=60');
    expect(res.header('content-length')).toBeUndefined();
  });

  it('If-Modified-Since at or after Last-Modified → 304; before → 200', async () => {
    const c = client();
    expect(
      (await c.get('/hello.txt', { headers: { 'if-modified-since': 'Mon, 04 Mar 2024 05:06:07 GMT' } }))
        .status,
    ).toBe(304);
    expect(
      (await c.get('/hello.txt', { headers: { 'if-modified-since': 'Mon, 04 Mar 2024 05:06:06 GMT' } }))
        .status,
    ).toBe(200);
  });

  it('upstream §1.9: If-None-Match is a weak comparison over a list, not an exact string match', async () => {
    const c = client();
    const etag = (await c.get('/hello.txt')).header('etag')!;
    const strong = etag.slice(2);
    const res = await c.get('/hello.txt', { headers: { 'if-none-match': `"zzz", ${strong}` } });
    expect(res.status).toBe(304);
  });

  it('If-None-Match on several lines is one list (RFC 9110 §5.3): the second line matches → 304', async () => {
    const c = client();
    const etag = (await c.get('/hello.txt')).header('etag')!;
    const res = await c.get('/hello.txt', {
      headers: [
        ['if-none-match', '"zzz"'],
        ['if-none-match', etag],
      ],
    });
    expect(res.status).toBe(304);
  });

  it('If-Match that does not match → 412', async () => {
    expect((await client().get('/hello.txt', { headers: { 'if-match': '"other"' } })).status).toBe(412);
  });

  it('etag: false and lastModified: false send no validators and ignore the conditions', async () => {
    const c = client({ etag: false, lastModified: false });
    const res = await c.get('/hello.txt', {
      headers: { 'if-modified-since': 'Mon, 04 Mar 2024 05:06:07 GMT' },
    });
    expect(res.status).toBe(200);
    expect(res.header('etag')).toBeUndefined();
    expect(res.header('last-modified')).toBeUndefined();
  });
});

describe('serveStatic: ranges', () => {
  it('a single range → 206 with a file slice', async () => {
    const res = await client().get('/digits.txt', { headers: { range: 'bytes=2-5' } });
    expect(res.status).toBe(206);
    expect(res.text).toBe('2345');
    expect(res.header('content-range')).toBe('bytes 2-5/20');
    expect(res.header('content-length')).toBe('4');
    expect(bodyEvents(res.events)[0]).toMatchObject({ offset: 2, length: 4 });
  });

  it('upstream §1.9: a suffix range serves the LAST bytes (App::File served 0–n)', async () => {
    const res = await client().get('/digits.txt', { headers: { range: 'bytes=-3' } });
    expect(res.status).toBe(206);
    expect(res.text).toBe('hij');
    expect(res.header('content-range')).toBe('bytes 17-19/20');
  });

  it('upstream §1.9: a suffix longer than the file is the whole file, not a negative offset / 500', async () => {
    const res = await client().get('/digits.txt', { headers: { range: 'bytes=-500' } });
    expect(res.status).toBe(206);
    expect(res.text).toBe(DIGITS);
    expect(res.header('content-range')).toBe('bytes 0-19/20');
  });

  it('upstream §1.9: an unsatisfiable range → 416 WITH Content-Range: bytes */size', async () => {
    const res = await client().get('/digits.txt', { headers: { range: 'bytes=100-' } });
    expect(res.status).toBe(416);
    expect(res.header('content-range')).toBe('bytes */20');
  });

  it('upstream §1.9: several ranges → multipart/byteranges (not ignored, not only the first)', async () => {
    const res = await client().get('/digits.txt', { headers: { range: 'bytes=0-1, 5-6, -2' } });
    expect(res.status).toBe(206);
    const type = res.header('content-type')!;
    const boundary = /^multipart\/byteranges; boundary=([0-9a-f]+)$/.exec(type)![1];
    const part = (range: string, bytes: string) =>
      `--${boundary}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-range: bytes ${range}/20\r\n\r\n${bytes}`;
    expect(res.text).toBe(
      `${part('0-1', '01')}\r\n${part('5-6', '56')}\r\n${part('18-19', 'ij')}\r\n--${boundary}--\r\n`,
    );
    expect(res.header('content-length')).toBe(String(res.body.byteLength));
    // Streamed as chunks: part headers and bytes as separate events.
    expect(bodyEvents(res.events).length).toBeGreaterThan(3);
  });

  it('multi-range bodies stream in bounded chunks and feel backpressure (never held whole)', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${tree.root}/large.bin`, Buffer.alloc(400_000, 7));
    const res = await client().get('/large.bin', {
      headers: { range: 'bytes=0-199999,300000-399999' },
      highWaterMark: 100_000,
      readDelay: 1,
    });
    expect(res.status).toBe(206);
    expect(res.body.byteLength).toBe(Number(res.header('content-length')));
    expect(res.flow!.maxBuffered).toBeLessThanOrEqual(100_000 + 64 * 1024);
    expect(res.flow!.pausedSends).toBeGreaterThan(0);
  });

  it('multi-range HEAD sends the exact Content-Length and no body', async () => {
    const get = await client().get('/digits.txt', { headers: { range: 'bytes=0-1,5-6' } });
    const head = await client().head('/digits.txt', { headers: { range: 'bytes=0-1,5-6' } });
    expect(head.status).toBe(206);
    expect(head.header('content-length')).toBe(get.header('content-length'));
    expect(head.body.byteLength).toBe(0);
  });

  it('more ranges than maxRanges → the whole file with 200', async () => {
    const res = await client({ maxRanges: 1 }).get('/digits.txt', { headers: { range: 'bytes=0-1,5-6' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe(DIGITS);
  });

  it('upstream §1.9: If-Range is honoured (a weak ETag never matches → whole file)', async () => {
    const c = client();
    const etag = (await c.get('/digits.txt')).header('etag')!;
    const byEtag = await c.get('/digits.txt', { headers: { range: 'bytes=0-1', 'if-range': etag } });
    expect(byEtag.status).toBe(200);
    const lm = (await c.get('/hello.txt')).header('last-modified')!;
    const byDate = await c.get('/hello.txt', { headers: { range: 'bytes=0-4', 'if-range': lm } });
    expect(byDate.status).toBe(206);
    expect(byDate.text).toBe('hello');
  });

  it('ranges: false ignores Range and sends no Accept-Ranges', async () => {
    const res = await client({ ranges: false }).get('/digits.txt', { headers: { range: 'bytes=0-1' } });
    expect(res.status).toBe(200);
    expect(res.header('accept-ranges')).toBeUndefined();
  });
});

describe('serveStatic: precompressed siblings', () => {
  it('prefers .br, then .gz, keeping the original Content-Type, with Vary', async () => {
    const c = client({ precompressed: true });
    const br = await c.get('/app.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.text).toBe('BROTLI');
    expect(br.header('content-encoding')).toBe('br');
    expect(br.header('content-type')).toBe('text/javascript; charset=utf-8');
    expect(br.header('vary')).toBe('Accept-Encoding');
    const gz = await c.get('/app.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.text).toBe('GZIPPED');
    expect(gz.header('content-encoding')).toBe('gzip');
    expect(gz.header('etag')).not.toBe(br.header('etag'));
  });

  it('identity when not accepted (br;q=0) or absent, still with Vary', async () => {
    const c = client({ precompressed: true });
    const res = await c.get('/app.js', { headers: { 'accept-encoding': 'br;q=0' } });
    expect(res.text).toBe('console.log(1)');
    expect(res.header('content-encoding')).toBeUndefined();
    expect(res.header('vary')).toBe('Accept-Encoding');
    expect((await c.get('/app.js')).text).toBe('console.log(1)');
  });

  it('falls back to the next coding when a sibling is missing; a list sets the order', async () => {
    expect(
      (
        await client({ precompressed: true }).get('/style.css', {
          headers: { 'accept-encoding': 'br, gzip' },
        })
      ).text,
    ).toBe('GZCSS');
    const gzFirst = client({ precompressed: ['gzip', 'br'] });
    expect((await gzFirst.get('/app.js', { headers: { 'accept-encoding': 'br, gzip' } })).text).toBe(
      'GZIPPED',
    );
  });

  it('412 and 416 carry Vary too (they also depend on the chosen file)', async () => {
    const c = client({ precompressed: true });
    const h = { 'accept-encoding': 'br' };
    expect((await c.get('/app.js', { headers: { ...h, range: 'bytes=999-' } })).header('vary')).toBe(
      'Accept-Encoding',
    );
    expect((await c.get('/app.js', { headers: { ...h, 'if-match': '"x"' } })).header('vary')).toBe(
      'Accept-Encoding',
    );
  });

  it('off by default: no sibling, no Vary', async () => {
    const res = await client().get('/app.js', { headers: { 'accept-encoding': 'br' } });
    expect(res.text).toBe('console.log(1)');
    expect(res.header('vary')).toBeUndefined();
  });
});

describe('serveStatic: cache headers', () => {
  it('maxAge and immutable', async () => {
    const res = await client({ maxAge: 31536000, immutable: true }).get('/hello.txt');
    expect(res.header('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});

describe('serveStatic: options', () => {
  it('refuses unknown and invalid options when applied', () => {
    expect(() => serveStatic(tree.root, { maxage: 1 } as never)).toThrow(/unknown option 'maxage'/);
    expect(() => serveStatic('')).toThrow(/root/);
    expect(() => serveStatic(tree.root, { dotfiles: 'hide' as never })).toThrow(/dotfiles/);
    expect(() => serveStatic(tree.root, { otherMethods: 'x' as never })).toThrow(/otherMethods/);
    expect(() => serveStatic(tree.root, { maxAge: -1 })).toThrow(/maxAge/);
    expect(() => serveStatic(tree.root, { maxRanges: 0 })).toThrow(/maxRanges/);
    expect(() => serveStatic(tree.root, { index: ['../x'] })).toThrow(/index/);
    expect(() => serveStatic(tree.root, { precompressed: ['zstd' as never] })).toThrow(/precompressed/);
  });

  it('passes lifespan through untouched', async () => {
    let seen: unknown;
    const spy: App = async (scope) => {
      seen = scope;
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await serveStatic(tree.root)(spy)(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(seen).toBe(scope);
  });

  it('names its functions for stack traces', () => {
    expect(serveStatic(tree.root).name).toBe('serveStatic');
    expect(serveStatic(tree.root)(inner).name).toBe('serveStatic');
  });
});

describe('staticApp', () => {
  const app = (options = {}) => new TestClient(staticApp(tree.root, options));

  it('serves files, 404 on a miss, 405 with Allow for other methods', async () => {
    expect((await app().get('/hello.txt')).text).toBe(HELLO);
    expect((await app().get('/missing')).status).toBe(404);
    const res = await app().post('/hello.txt');
    expect(res.status).toBe(405);
    expect(res.header('allow')).toBe('GET, HEAD');
  });

  it("otherMethods: 'pass' makes other methods a 404 (no app behind)", async () => {
    expect((await app({ otherMethods: 'pass' }).post('/hello.txt')).status).toBe(404);
  });

  it('refuses traversal and hides dotfiles like the middleware', async () => {
    expect((await app().get('/%2e%2e/secret/passwd')).status).toBe(400);
    expect((await app().get('/.env')).status).toBe(404);
  });

  it('answers 404 to a WebSocket', async () => {
    const ws = await app().websocket('/hello.txt');
    expect(ws.denial?.status).toBe(404);
  });

  it('refuses unknown options', () => {
    expect(() => staticApp(tree.root, { nope: 1 } as never)).toThrow(/staticApp\(\): unknown option 'nope'/);
  });
});

// Built lazily: the shared checks run against a root created before them.
describeMiddlewareChecks(
  'serveStatic: the shared middleware checks of @pagi/test',
  serveStatic('/nonexistent-pagi-static-root'),
);

describe('serveStatic: trailing slash', () => {
  it('a file named with a trailing slash is a miss (it names a directory)', async () => {
    expect((await client({ fallthrough: false }).get('/hello.txt/')).status).toBe(404);
  });
});
