import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isPagiError, type SendEvent } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Response } from '../src/response/response.js';
import { runHttp } from './support/fake-http.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isPagiError(error) ? error.code : 'not-a-pagi-error';
  }
  return undefined;
}

describe('Response factories', () => {
  it('builds text, html and json with content types and a real content-length', async () => {
    const client = new TestClient(Response.text('héllo', { status: 201, headers: { 'x-a': '1' } }).asApp());
    const res = await client.get('/');
    expect(res.status).toBe(201);
    expect(res.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.header('content-length')).toBe('6');
    expect(res.header('x-a')).toBe('1');
    expect(res.text).toBe('héllo');

    const html = await new TestClient(Response.html('<p>hi</p>').asApp()).get('/');
    expect(html.header('content-type')).toBe('text/html; charset=utf-8');
    const json = await new TestClient(Response.json({ a: [1, 'b'] }).asApp()).get('/');
    expect(json.header('content-type')).toBe('application/json');
    expect(json.json()).toEqual({ a: [1, 'b'] });
  });

  it('keeps a caller content type and drops user content-length / transfer-encoding', async () => {
    const r = Response.json([1], {
      headers: { 'content-type': 'application/problem+json', 'content-length': '999' },
    });
    r.header('transfer-encoding', 'chunked');
    const res = await new TestClient(r.asApp()).get('/');
    expect(res.header('content-type')).toBe('application/problem+json');
    expect(res.headerValues('content-length')).toEqual(['3']);
    expect(res.header('transfer-encoding')).toBeUndefined();
  });

  it('adds a default content type where it always went, and hands each send fresh pairs', async () => {
    const r = Response.json(1, { headers: { 'x-a': '1' } });
    expect(r.getHeader('content-type')).toBe('application/json');
    r.header('x-b', '2');
    expect(r.headers).toEqual([
      ['x-a', '1'],
      ['content-type', 'application/json'],
      ['x-b', '2'],
    ]);
    const starts: SendEvent[] = [];
    const send = async (event: SendEvent) => {
      if (event.type === 'http.response.start') starts.push(event);
    };
    const scope = { type: 'http', method: 'GET' } as never;
    const plain = Response.json({ a: 1 });
    await plain.send(scope, (async () => ({})) as never, send);
    const first = starts[0] as { headers: [string, string][] };
    expect(first.headers).toEqual([
      ['content-type', 'application/json'],
      ['content-length', '7'],
    ]);
    // A middleware may edit the event in flight (protocol.md §1.7): the response stays as it was.
    first.headers[0]![1] = 'text/evil';
    first.headers.push(['x-added', '1']);
    await plain.send(scope, (async () => ({})) as never, send);
    expect((starts[1] as { headers: unknown }).headers).toEqual([
      ['content-type', 'application/json'],
      ['content-length', '7'],
    ]);
    expect(Response.json(1).removeHeader('content-type').headers).toEqual([]);
  });

  it('redirects with 302 by default, percent-encodes non-ASCII and refuses CR/LF', async () => {
    const res = await new TestClient(Response.redirect('/caf\u00e9 x').asApp()).get('/');
    expect(res.status).toBe(302);
    expect(res.header('location')).toBe('/caf%C3%A9%20x');
    expect((await new TestClient(Response.redirect('/b', 308).asApp()).get('/')).status).toBe(308);
    expect(code(() => Response.redirect('/a\r\nset-cookie: x=1'))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.redirect('/a\n'))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.redirect('/a', 200))).toBe('PAGI_ERR_VALIDATION');
  });

  it('sends empty responses without a body or content-length for 204', async () => {
    const res = await new TestClient(Response.empty().asApp()).get('/');
    expect(res.status).toBe(204);
    expect(res.header('content-length')).toBeUndefined();
    expect(res.body.length).toBe(0);
  });

  it('is reusable: sending does not change the value', async () => {
    const client = new TestClient(Response.text('same').asApp());
    expect((await client.get('/')).text).toBe('same');
    expect((await client.get('/')).text).toBe('same');
  });

  it('sends headers but no body to HEAD', async () => {
    const res = await new TestClient(Response.text('12345').asApp()).head('/');
    expect(res.header('content-length')).toBe('5');
    expect(res.body.length).toBe(0);
  });

  it('refuses non-http scopes in asApp()', async () => {
    const app = Response.text('x').asApp();
    await expect(
      Promise.resolve(
        app(
          { type: 'lifespan', pagi: { version: '0.3' } },
          (async () => ({})) as never,
          (async () => {}) as never,
        ),
      ),
    ).rejects.toMatchObject({ code: 'PAGI_ERR_UNSUPPORTED_SCOPE' });
  });
});

describe('Response headers and cookies', () => {
  it('chains status(), header() replacing and appendHeader() appending', () => {
    const r = Response.text('x')
      .status(418)
      .header('X-A', '1')
      .header('x-a', '2')
      .appendHeader('x-b', '1')
      .appendHeader('x-b', '2');
    expect(r.statusCode).toBe(418);
    expect(r.headers.filter(([n]) => n !== 'content-type')).toEqual([
      ['x-a', '2'],
      ['x-b', '1'],
      ['x-b', '2'],
    ]);
    expect(r.getHeader('X-A')).toBe('2');
  });

  it('rejects header injection and bad names or statuses', () => {
    expect(code(() => Response.text('x').header('x-a', 'ok\r\nevil: 1'))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.text('x').header('x-a', 'nul\0'))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.text('x').header('bad name', 'v'))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.text('x').header('x-a', '\u2603'))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.text('x', { headers: { 'x-a': 'a\nb' } }))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.text('x').status(99))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.text('x').status(200.5))).toBe('PAGI_ERR_VALIDATION');
  });

  it('serialises cookies with the cookie library, SameSite=Lax and Path=/ by default', async () => {
    const r = Response.text('x')
      .setCookie('session', 'a b;c', { httpOnly: true, maxAge: 60 })
      .setCookie('theme', 'dark', { sameSite: 'strict', path: '/app' })
      .deleteCookie('old');
    const res = await new TestClient(r.asApp()).get('/');
    const cookies = res.headerValues('set-cookie');
    expect(cookies[0]).toBe('session=a%20b%3Bc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax');
    expect(cookies[1]).toBe('theme=dark; Path=/app; SameSite=Strict');
    expect(cookies[2]).toMatch(
      /^old=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax$/,
    );
    expect(code(() => Response.text('x').setCookie('bad name', 'v'))).toBe('PAGI_ERR_VALIDATION');
    expect(code(() => Response.text('x').setCookie('n', 'v', { domain: 'a\r\nb' }))).toBe(
      'PAGI_ERR_VALIDATION',
    );
  });
});

describe('Response.stream', () => {
  it('pulls the next chunk only after send() resolved (backpressure)', async () => {
    const log: string[] = [];
    async function* source() {
      for (let i = 0; i < 3; i++) {
        log.push(`pull ${i}`);
        yield `c${i}`;
      }
    }
    let release: (() => void) | undefined;
    const res = await runHttp(Response.stream(source()).asApp(), {
      onSend: async (event: SendEvent<'http'>) => {
        if (event.type !== 'http.response.body' || !event.more) return;
        log.push(`send ${String(event.body)} start`);
        // Hold the send open until the next microtask turn: the iterator must not move meanwhile.
        await new Promise<void>((r) => {
          release = r;
          setImmediate(() => release?.());
        });
        log.push(`send ${String(event.body)} done`);
      },
    });
    expect(res.body.toString()).toBe('c0c1c2');
    expect(log).toEqual([
      'pull 0',
      'send c0 start',
      'send c0 done',
      'pull 1',
      'send c1 start',
      'send c1 done',
      'pull 2',
      'send c2 start',
      'send c2 done',
    ]);
    expect(res.header('content-length')).toBeUndefined();
    expect(res.events.at(-1)).toEqual({ type: 'http.response.body', more: false });
  });

  it('stops pulling and closes the source when the client leaves', async () => {
    let pulled = 0;
    let closed = false;
    async function* endless() {
      try {
        for (;;) {
          pulled++;
          yield 'tick';
        }
      } finally {
        closed = true;
      }
    }
    const client = new TestClient(Response.stream(endless()).asApp());
    const s = await client.stream('GET', '/');
    const it = s[Symbol.asyncIterator]();
    await it.next();
    await s.disconnect();
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(5);
  });

  it('accepts a Node Readable and can be sent only once', async () => {
    const r = Response.stream(Readable.from([Buffer.from('a'), Buffer.from('b')]), {
      headers: { 'content-type': 'text/plain' },
    });
    const client = new TestClient(r.asApp(), { raiseAppErrors: true });
    const res = await client.get('/');
    expect(res.text).toBe('ab');
    await expect(client.get('/')).rejects.toMatchObject({ code: 'PAGI_ERR_STATE' });
  });

  it('does not pull the iterator for HEAD', async () => {
    let pulled = false;
    async function* src() {
      pulled = true;
      yield 'x';
    }
    const res = await new TestClient(Response.stream(src()).asApp()).head('/');
    expect(res.status).toBe(200);
    expect(pulled).toBe(false);
  });
});

describe('Response.file', () => {
  let dir: string;
  let file: string;
  const content = Buffer.from('0123456789abcdefghij'); // 20 bytes
  const mtime = new Date('2024-03-04T05:06:07Z');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pagi-helpers-file-'));
    file = join(dir, 'data.txt');
    await writeFile(file, content);
    await utimes(file, mtime, mtime);
    await writeFile(join(dir, 'empty.bin'), '');
    await writeFile(join(dir, 'r\u00e9sum\u00e9.pdf'), 'pdf');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends a file body by path with type, length, weak ETag and Last-Modified', async () => {
    const res = await runHttp(Response.file(file).asApp());
    expect(res.status).toBe(200);
    const body = res.events.find((e) => e.type === 'http.response.body');
    expect(body).toEqual({ type: 'http.response.body', file, offset: 0, length: 20 });
    expect(res.body.equals(content)).toBe(true);
    expect(res.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.header('content-length')).toBe('20');
    expect(res.header('etag')).toMatch(/^W\/"14-[0-9a-f]+"$/);
    expect(res.header('last-modified')).toBe('Mon, 04 Mar 2024 05:06:07 GMT');
    expect(res.header('accept-ranges')).toBe('bytes');
  });

  it('works through the test client', async () => {
    const res = await new TestClient(Response.file(file).asApp()).get('/');
    expect(res.text).toBe(content.toString());
  });

  it('answers a single range with 206 and content-range', async () => {
    const res = await runHttp(Response.file(file).asApp(), { headers: [['range', 'bytes=5-9']] });
    expect(res.status).toBe(206);
    expect(res.header('content-range')).toBe('bytes 5-9/20');
    expect(res.header('content-length')).toBe('5');
    expect(res.body.toString()).toBe('56789');
    const suffix = await runHttp(Response.file(file).asApp(), { headers: [['range', 'bytes=-3']] });
    expect(suffix.body.toString()).toBe('hij');
  });

  it('answers an unsatisfiable range with 416 and bytes */size', async () => {
    const res = await runHttp(Response.file(file).asApp(), { headers: [['range', 'bytes=50-60']] });
    expect(res.status).toBe(416);
    expect(res.header('content-range')).toBe('bytes */20');
    expect(res.body.length).toBe(0);
  });

  it('serves the whole file for multi-range and malformed Range headers', async () => {
    for (const range of ['bytes=0-1,5-6', 'bytes=x-y', 'lines=1-2']) {
      const res = await runHttp(Response.file(file).asApp(), { headers: [['range', range]] });
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(20);
    }
  });

  it('ignores Range when If-Range does not match, and honours it when it does', async () => {
    // RFC 9110 §13.1.5: a stale validator means "send me the whole current file".
    for (const ifRange of ['Tue, 01 Jan 2019 00:00:00 GMT', '"14-abc"']) {
      const res = await runHttp(Response.file(file).asApp(), {
        headers: [
          ['range', 'bytes=0-1'],
          ['if-range', ifRange],
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.equals(content)).toBe(true);
      expect(res.header('content-length')).toBe('20');
      expect(res.header('content-range')).toBeUndefined();
    }
    // Our ETags are weak and never match strongly, so only an exact Last-Modified date matches.
    const etag = (await runHttp(Response.file(file).asApp())).header('etag')!;
    const weak = await runHttp(Response.file(file).asApp(), {
      headers: [
        ['range', 'bytes=0-1'],
        ['if-range', etag],
      ],
    });
    expect(weak.status).toBe(200);
    expect(weak.body.length).toBe(20);
    const fresh = await runHttp(Response.file(file).asApp(), {
      headers: [
        ['range', 'bytes=0-1'],
        ['if-range', mtime.toUTCString()],
      ],
    });
    expect(fresh.status).toBe(206);
    expect(fresh.header('content-range')).toBe('bytes 0-1/20');
    expect(fresh.body.toString()).toBe(content.subarray(0, 2).toString());
  });

  it('reads If-None-Match sent on several lines as one list (RFC 9110 §5.3)', async () => {
    const etag = (await runHttp(Response.file(file).asApp())).header('etag')!;
    const res = await runHttp(Response.file(file).asApp(), {
      headers: [
        ['if-none-match', '"nope"'],
        ['if-none-match', etag],
      ],
    });
    expect(res.status).toBe(304);
  });

  it('answers 304 to a matching If-None-Match or a fresh If-Modified-Since', async () => {
    const first = await runHttp(Response.file(file).asApp());
    const etag = first.header('etag')!;
    const res = await runHttp(Response.file(file, { headers: { 'cache-control': 'max-age=60' } }).asApp(), {
      headers: [['if-none-match', `"nope", ${etag}`]],
    });
    expect(res.status).toBe(304);
    expect(res.body.length).toBe(0);
    expect(res.header('etag')).toBe(etag);
    expect(res.header('cache-control')).toBe('max-age=60');
    expect(res.header('content-length')).toBeUndefined();

    const ims = await runHttp(Response.file(file).asApp(), {
      headers: [['if-modified-since', mtime.toUTCString()]],
    });
    expect(ims.status).toBe(304);
    const stale = await runHttp(Response.file(file).asApp(), {
      headers: [['if-modified-since', 'Sun, 01 Jan 2023 00:00:00 GMT']],
    });
    expect(stale.status).toBe(200);
    const post = await runHttp(Response.file(file).asApp(), {
      method: 'POST',
      headers: [['if-none-match', etag]],
    });
    expect(post.status).toBe(200);
  });

  it('can leave out the ETag', async () => {
    const res = await runHttp(Response.file(file, { etag: false }).asApp(), {
      headers: [['if-none-match', 'W/"14-0"']],
    });
    expect(res.status).toBe(200);
    expect(res.header('etag')).toBeUndefined();
    // `*` matches any current representation, tagged or not (RFC 9110 §13.1.2).
    const star = await runHttp(Response.file(file, { etag: false }).asApp(), {
      headers: [['if-none-match', '*']],
    });
    expect(star.status).toBe(304);
  });

  it('answers 412 to a failed If-Match or If-Unmodified-Since (RFC 9110 §13.2.2)', async () => {
    const ifMatch = await runHttp(Response.file(file).asApp(), { headers: [['if-match', '"nope"']] });
    expect(ifMatch.status).toBe(412);
    expect(ifMatch.body.toString()).toBe('Precondition Failed');
    // Our ETag is weak, and If-Match compares strongly: it can never match.
    const first = await runHttp(Response.file(file).asApp());
    const weak = await runHttp(Response.file(file).asApp(), {
      headers: [['if-match', first.header('etag')!]],
    });
    expect(weak.status).toBe(412);
    const ius = await runHttp(Response.file(file).asApp(), {
      headers: [['if-unmodified-since', 'Sun, 01 Jan 2023 00:00:00 GMT']],
    });
    expect(ius.status).toBe(412);
    const fresh = await runHttp(Response.file(file).asApp(), {
      headers: [['if-unmodified-since', mtime.toUTCString()]],
    });
    expect(fresh.status).toBe(200);
  });

  it('compares the ETag the app set, not the computed one', async () => {
    const res = await runHttp(Response.file(file, { headers: { etag: '"v7"' } }).asApp(), {
      headers: [['if-none-match', '"v7"']],
    });
    expect(res.status).toBe(304);
    expect(res.header('etag')).toBe('"v7"');
  });

  it('applies If-Range with the exact Last-Modified date', async () => {
    const res = await runHttp(Response.file(file).asApp(), {
      headers: [
        ['range', 'bytes=0-1'],
        ['if-range', mtime.toUTCString()],
      ],
    });
    expect(res.status).toBe(206);
  });

  it('refuses a path or root that is not a string when the response is built, not with a 500 later', () => {
    for (const bad of [undefined, null, 42, Buffer.from('x'), new URL('file:///etc/passwd')]) {
      expect(code(() => Response.file(bad as unknown as string))).toBe('PAGI_ERR_VALIDATION');
    }
    expect(() => Response.file(undefined as unknown as string)).toThrow(
      /expected a file path string for Response\.file\(\), got undefined/,
    );
    expect(() => Response.file('a.txt', { root: 1 as unknown as string })).toThrow(
      /option root .* got number/,
    );
  });

  it('answers 404 for a missing file, a directory, and a path escaping root', async () => {
    expect((await runHttp(Response.file(join(dir, 'nope')).asApp())).status).toBe(404);
    expect((await runHttp(Response.file(dir).asApp())).status).toBe(404);
    expect((await runHttp(Response.file('../etc/passwd', { root: dir }).asApp())).status).toBe(404);
    expect((await runHttp(Response.file('data.txt\0', { root: dir }).asApp())).status).toBe(404);
    const ok = await runHttp(Response.file('/data.txt', { root: dir }).asApp());
    expect(ok.status).toBe(200);
  });

  it('answers 404 for a symlink inside root that points outside it, and serves one that stays inside', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'pagi-outside-'));
    const root = join(dir, 'jail');
    try {
      await writeFile(join(outside, 'secret.txt'), 'secret');
      await mkdir(root, { recursive: true });
      await writeFile(join(root, 'inside.txt'), 'inside');
      await symlink(join(outside, 'secret.txt'), join(root, 'escape.txt'));
      await symlink(join(outside), join(root, 'escape-dir'));
      await symlink(join(root, 'inside.txt'), join(root, 'alias.txt'));
      expect((await runHttp(Response.file('escape.txt', { root }).asApp())).status).toBe(404);
      expect((await runHttp(Response.file('escape-dir/secret.txt', { root }).asApp())).status).toBe(404);
      const alias = await runHttp(Response.file('alias.txt', { root }).asApp());
      expect(alias.status).toBe(200);
    } finally {
      await rm(outside, { recursive: true, force: true });
      await rm(root, { recursive: true, force: true });
    }
  });

  it('sets Content-Disposition for downloads, with an RFC 8187 name when needed', async () => {
    const plain = await runHttp(Response.file(file, { download: true }).asApp());
    expect(plain.header('content-disposition')).toBe('attachment; filename="data.txt"');
    const intl = await runHttp(Response.file('r\u00e9sum\u00e9.pdf', { root: dir, download: true }).asApp());
    expect(intl.header('content-disposition')).toBe(
      `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    );
    expect(intl.header('content-type')).toBe('application/pdf');
  });

  it('sends no file event for HEAD or an empty file', async () => {
    const head = await runHttp(Response.file(file).asApp(), { method: 'HEAD' });
    expect(head.header('content-length')).toBe('20');
    expect(head.events.at(-1)).toEqual({ type: 'http.response.body' });
    const empty = await runHttp(Response.file(join(dir, 'empty.bin')).asApp());
    expect(empty.header('content-length')).toBe('0');
    expect(empty.events.at(-1)).toEqual({ type: 'http.response.body' });
  });
});
