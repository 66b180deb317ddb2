import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@pagi/spec';
import { isPagiError, UnsupportedScopeError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.js';
import type { FormData } from '../src/request/form-data.js';
import { Request, type RequestOptions } from '../src/request/request.js';
import { Response } from '../src/response/response.js';
import { runHttp } from './support/fake-http.js';
import { MULTIPART_TYPE, multipart, split } from './support/multipart.js';

let tempDir: string;
beforeEach(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'pagi-helpers-form-'));
});
afterEach(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

/** Parses the form, lets `inspect` look at it while the request is live, answers JSON. */
function formApp(options: RequestOptions, inspect: (form: FormData) => unknown = (f) => f.toObject()): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
    const req = new Request(scope, receive, { tempDir, ...options });
    try {
      const form = await req.form();
      await Response.json((await inspect(form)) ?? null).send(scope, receive, send);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      await Response.text(error.detail, { status: error.status }).send(scope, receive, send);
    }
  };
}

describe('urlencoded forms', () => {
  it('keeps repeated names as arrays and decodes + and UTF-8 escapes', async () => {
    const client = new TestClient(
      formApp({}, (f) => ({ obj: f.toObject(), tags: f.getAll('tag'), one: f.get('tag') ?? null })),
    );
    const res = await client.post('/', { form: { name: 'Ada Lovelace', tag: ['x', 'y'] } });
    expect(res.json()).toEqual({
      obj: { name: 'Ada Lovelace', tag: ['x', 'y'] },
      tags: ['x', 'y'],
      one: 'x',
    });
    const raw = await client.post('/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1+2&a=%C3%A9&b[]=1&b[]=2&empty=',
    });
    expect(raw.json()).toEqual({
      obj: { a: ['1 2', 'é'], 'b[]': ['1', '2'], empty: '' },
      tags: [],
      one: null,
    });
  });

  it('answers 413 above maxBodySize or maxFields, and 415 for other content types', async () => {
    const small = new TestClient(formApp({ maxBodySize: 8 }));
    expect((await small.post('/', { form: { a: 'x'.repeat(20) } })).status).toBe(413);
    const few = new TestClient(formApp({ maxFields: 2 }));
    expect(
      (
        await few.post('/', {
          body: 'a=1&b=2&c=3',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(413);
    expect((await few.post('/', { json: { a: 1 } })).status).toBe(415);
  });
});

describe('multipart forms', () => {
  it('parses fields and small files in memory', async () => {
    const body = multipart([
      { name: 'title', value: 'héllo' },
      { name: 'doc', value: 'file body', filename: 'notes.txt', type: 'text/plain' },
      { name: 'title', value: 'second' },
    ]);
    const client = new TestClient(
      formApp({}, async (f) => {
        const file = f.file('doc')!;
        return {
          fields: f.toObject(),
          file: {
            name: file.filename,
            type: file.contentType,
            size: file.size,
            mem: file.inMemory,
            text: await file.text(),
          },
          keys: f.keys(),
        };
      }),
    );
    const res = await client.post('/', { headers: { 'content-type': MULTIPART_TYPE }, body });
    expect(res.json()).toEqual({
      fields: { title: ['héllo', 'second'] },
      file: { name: 'notes.txt', type: 'text/plain', size: 9, mem: true, text: 'file body' },
      keys: ['title', 'doc'],
    });
  });

  it('spools an upload above the threshold to a private temp file and removes it when the request completes', async () => {
    const big = Buffer.alloc(300_000, 7);
    const body = multipart([{ name: 'blob', value: big, filename: '../../etc/passwd' }]);
    let seenPath: string | undefined;
    const client = new TestClient(
      formApp({ spoolThreshold: 64 * 1024 }, async (f) => {
        const file = f.file('blob')!;
        seenPath = file.path;
        const onDisk = await readFile(file.path!);
        return {
          mem: file.inMemory,
          size: file.size,
          same: onDisk.equals(big),
          filename: file.filename,
          entries: await readdir(tempDir),
        };
      }),
    );
    const res = await client.post('/', {
      headers: { 'content-type': MULTIPART_TYPE },
      body: split(body, 16 * 1024),
    });
    const got = res.json<Record<string, unknown>>();
    expect(got).toMatchObject({ mem: false, size: 300_000, same: true, filename: 'passwd' });
    expect(got.entries).toHaveLength(1);
    expect(seenPath?.startsWith(tempDir)).toBe(true);
    // on_complete fired: the spool directory is gone.
    await expect.poll(() => readdir(tempDir)).toEqual([]);
  });

  it('handles many small files', async () => {
    const parts = Array.from({ length: 200 }, (_, i) => ({
      name: 'f',
      value: `file-${i}`,
      filename: `f${i}.txt`,
    }));
    const client = new TestClient(
      formApp({ maxFiles: 500, maxParts: 500 }, async (f) => {
        const files = f.files('f');
        return {
          count: files.length,
          last: await files.at(-1)!.text(),
          allMem: files.every((x) => x.inMemory),
        };
      }),
    );
    const res = await client.post('/', {
      headers: { 'content-type': MULTIPART_TYPE },
      body: split(multipart(parts), 1000),
    });
    expect(res.json()).toEqual({ count: 200, last: 'file-199', allMem: true });
  });

  it('answers 413 for a file over maxFileSize, stops reading the body and removes temp files', async () => {
    const body = multipart([
      { name: 'first', value: Buffer.alloc(40_000, 1), filename: 'a.bin' },
      { name: 'huge', value: Buffer.alloc(2_000_000, 2), filename: 'b.bin' },
    ]);
    const chunks = split(body, 10_000);
    const res = await runHttp(formApp({ spoolThreshold: 1024, maxFileSize: 100_000 }), {
      method: 'POST',
      headers: [['content-type', MULTIPART_TYPE]],
      chunks,
    });
    expect(res.status).toBe(413);
    expect(res.body.toString()).toMatch(/file for form field 'huge'/);
    // The parser stopped soon after the limit instead of reading 2 MB.
    expect(res.log.length).toBeLessThan(20);
    expect(res.log.length).toBeLessThan(chunks.length);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('answers 413 for a multipart body over maxMultipartSize and for too many files', async () => {
    const body = multipart([{ name: 'x', value: Buffer.alloc(50_000), filename: 'x' }]);
    const capped = new TestClient(formApp({ maxMultipartSize: 10_000 }));
    expect((await capped.post('/', { headers: { 'content-type': MULTIPART_TYPE }, body })).status).toBe(413);
    expect(
      (await capped.post('/', { headers: { 'content-type': MULTIPART_TYPE }, body: split(body, 4096) }))
        .status,
    ).toBe(413);

    const parts = Array.from({ length: 5 }, (_, i) => ({ name: 'f', value: 'x', filename: `f${i}` }));
    const few = new TestClient(formApp({ maxFiles: 3 }));
    const res = await few.post('/', { headers: { 'content-type': MULTIPART_TYPE }, body: multipart(parts) });
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/at most 3 files/);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('answers 400 for a multipart body without a boundary or cut short', async () => {
    const client = new TestClient(formApp({}));
    expect(
      (await client.post('/', { headers: { 'content-type': 'multipart/form-data' }, body: 'x' })).status,
    ).toBe(400);
    const truncated = multipart([{ name: 'a', value: 'b' }]).subarray(0, 30);
    expect(
      (await client.post('/', { headers: { 'content-type': MULTIPART_TYPE }, body: truncated })).status,
    ).toBe(400);
  });

  it('removes spooled files when the client aborts mid-upload', async () => {
    const body = multipart([
      { name: 'done', value: Buffer.alloc(50_000, 3), filename: 'done.bin' },
      { name: 'partial', value: Buffer.alloc(500_000, 4), filename: 'partial.bin' },
    ]);
    const chunks = split(body, 20_000);
    let dirDuringUpload: string[] = [];
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
      const spy = async () => {
        const event = await receive();
        if (event.type === 'http.request' && event.more) dirDuringUpload = await readdir(tempDir);
        return event;
      };
      await formApp({ spoolThreshold: 1024 })(scope, spy as never, send);
    };
    const res = await runHttp(app, {
      method: 'POST',
      headers: [['content-type', MULTIPART_TYPE]],
      chunks,
      disconnectAfterChunks: 10,
    });
    expect(dirDuringUpload).toHaveLength(1);
    expect(isPagiError(res.error) && res.error.code).toBe('PAGI_ERR_DISCONNECTED');
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('moveTo() takes a spooled file out of the temp directory', async () => {
    const dest = join(tempDir, 'kept', 'upload.bin');
    const body = multipart([{ name: 'f', value: Buffer.alloc(10_000, 9), filename: 'f.bin' }]);
    const client = new TestClient(
      formApp({ spoolThreshold: 100, tempDir: join(tempDir) }, async (f) => {
        await f.file('f')!.moveTo(dest);
        return f.file('f')!.path;
      }),
    );
    const res = await client.post('/', { headers: { 'content-type': MULTIPART_TYPE }, body });
    expect(res.json()).toBe(dest);
    expect((await readFile(dest)).length).toBe(10_000);
    await expect.poll(() => readdir(tempDir)).toEqual(['kept']);
  });
});
