import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, ReceiveEvent, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { FORM_BODY, type FormBody, type FormBodyOptions, formBody } from '../src/index.js';

/** Records the form and the inner app's first receive event, and answers 200. */
function recorder() {
  const seen: { form?: FormBody; first?: ReceiveEvent<'http'>; fileText?: string } = {};
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'http') return;
    seen.form = FORM_BODY.get(scope);
    seen.first = (await receive()) as ReceiveEvent<'http'>;
    const file = seen.form?.files.doc;
    if (file !== undefined && !Array.isArray(file) && file.path !== undefined) {
      seen.fileText = readFileSync(file.path, 'utf8');
    }
    await send({ type: 'http.response.start', status: 200, headers: [] });
    await send({ type: 'http.response.body', body: 'ok' });
  };
  return { seen, app };
}

const freshDir = () => mkdtempSync(join(tmpdir(), 'form-body-test-'));
const form = (app: App, body: string, type = 'application/x-www-form-urlencoded') =>
  new TestClient(app).post('/', { body, headers: { 'content-type': type } });
const upload = (app: App, files: Record<string, unknown>, data?: Record<string, string | string[]>) =>
  new TestClient(app).post('/', { files: files as never, ...(data === undefined ? {} : { data }) });

/** A hand-written multipart body with boundary `b`. */
const multipartType = 'multipart/form-data; boundary=b';
const part = (name: string, value: string, filename?: string) =>
  `--b\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n${value}\r\n`;

describe('formBody: urlencoded', () => {
  it('parses fields, repeated keys into arrays, and still replays the body', async () => {
    const { seen, app } = recorder();
    const res = await form(formBody()(app), 'a=1&b=x+y&a=2&c=%C3%A9');
    expect(res.status).toBe(200);
    expect({ ...seen.form?.fields }).toEqual({ a: ['1', '2'], b: 'x y', c: 'é' });
    expect(seen.first).toMatchObject({ type: 'http.request', more: false });
    expect(Buffer.from((seen.first as { body: Uint8Array }).body).toString()).toBe('a=1&b=x+y&a=2&c=%C3%A9');
  });

  it('limit: 413 past the body limit', async () => {
    const { app } = recorder();
    expect((await form(formBody({ limit: 5 })(app), 'a=123456')).status).toBe(413);
    expect((await form(formBody({ limit: 8 })(app), 'a=123456')).status).toBe(200);
  });

  it('maxFields: 413 past the field count, counted before URLSearchParams builds them', async () => {
    const { app } = recorder();
    expect((await form(formBody({ maxFields: 2 })(app), 'a=1&&b=2&')).status).toBe(200);
    expect((await form(formBody({ maxFields: 2 })(app), 'a=1&b=2&c')).status).toBe(413);
    // Attack: a 1 MiB body of half a million one-letter fields.
    const res = await form(formBody()(app), 'a&'.repeat(512 * 1024 - 1));
    expect(res.status).toBe(413);
    expect(res.text).toContain('at most 1000 form fields');
  });

  it('a field named __proto__ is an ordinary key (no prototype pollution)', async () => {
    const { seen, app } = recorder();
    await form(formBody()(app), '__proto__=x&constructor=y');
    const protoKey = ['__', 'proto', '__'].join('');
    expect(seen.form?.fields[protoKey]).toBe('x');
    expect(Object.getPrototypeOf(seen.form?.fields)).toBe(null);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('formBody: multipart', () => {
  it('parses fields and small files into memory, repeated names into arrays', async () => {
    const { seen, app } = recorder();
    const res = await upload(
      formBody()(app),
      {
        doc: { filename: 'a.txt', content: 'hello', contentType: 'text/plain' },
        pics: [
          { filename: 'p1.bin', content: 'one' },
          { filename: 'p2.bin', content: 'two' },
        ],
      },
      { name: 'Ada', tag: ['x', 'y'] },
    );
    expect(res.status).toBe(200);
    expect({ ...seen.form?.fields }).toEqual({ name: 'Ada', tag: ['x', 'y'] });
    const doc = seen.form?.files.doc;
    expect(doc).toMatchObject({ filename: 'a.txt', contentType: 'text/plain', size: 5 });
    expect(Buffer.from((doc as { bytes: Uint8Array }).bytes).toString()).toBe('hello');
    expect((seen.form?.files.pics as { filename: string }[] | undefined)?.map((f) => f.filename)).toEqual([
      'p1.bin',
      'p2.bin',
    ]);
    // The parser consumed the body: the inner app gets an empty final body event.
    expect(seen.first).toMatchObject({ type: 'http.request', more: false });
  });

  it('spoolThreshold + tempDir: a larger file goes to disk, removed when the request completes', async () => {
    const dir = freshDir();
    const { seen, app } = recorder();
    await upload(formBody({ spoolThreshold: 4, tempDir: dir })(app), {
      doc: { filename: 'a.txt', content: 'spooled!' },
    });
    const doc = seen.form?.files.doc as { path: string; size: number; bytes?: Uint8Array };
    expect(doc.path.startsWith(dir)).toBe(true);
    expect(doc.bytes).toBeUndefined();
    expect(seen.fileText).toBe('spooled!');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('temp files are removed when the inner app throws', async () => {
    const dir = freshDir();
    let path = '';
    const boom = new Error('handler failed');
    const failing: App = async (scope) => {
      path = (FORM_BODY.require(scope).files.doc as { path: string }).path;
      expect(readdirSync(dir)).toHaveLength(1);
      throw boom;
    };
    await expect(
      upload(formBody({ spoolThreshold: 1, tempDir: dir })(failing), {
        doc: { filename: 'a', content: 'data' },
      }),
    ).rejects.toBe(boom);
    expect(path).not.toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('temp files are removed when the client disconnects mid-upload; the inner app sees the disconnect', async () => {
    const dir = freshDir();
    const { seen, app } = recorder();
    const mw = formBody({ spoolThreshold: 4, tempDir: dir })(app);
    let spooled = false;
    const halfThenGone: App = (scope, _receive, send) => {
      let n = 0;
      const receive = async () => {
        if (n++ === 0) {
          const head = `--b\r\nContent-Disposition: form-data; name="doc"; filename="a"\r\n\r\n${'x'.repeat(64)}`;
          return { type: 'http.request', body: Buffer.from(head), more: true } as never;
        }
        // Wait until the spool file exists, so the test proves it is removed.
        for (let i = 0; i < 200 && !spooled; i++) {
          spooled = readdirSync(dir).length > 0;
          await new Promise((r) => setTimeout(r, 5));
        }
        return { type: 'http.disconnect', reason: 'client_closed' } as never;
      };
      return mw(scope, receive, send);
    };
    await new TestClient(halfThenGone)
      .post('/', { body: 'ignored', headers: { 'content-type': multipartType } })
      .catch(() => {});
    expect(spooled).toBe(true);
    expect(seen.form).toBeUndefined();
    expect(seen.first?.type).toBe('http.disconnect');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('temp files are removed when a limit fails the parse (413)', async () => {
    const dir = freshDir();
    const { app } = recorder();
    const res = await upload(formBody({ spoolThreshold: 2, maxFileSize: 10, tempDir: dir })(app), {
      a: { filename: 'a', content: 'small' },
      b: { filename: 'b', content: 'x'.repeat(100) },
    });
    expect(res.status).toBe(413);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops reading at the first limit passed: the rest of a streamed body is never pulled', async () => {
    const { app } = recorder();
    const mw = formBody({ maxFileSize: 8 })(app);
    let pulled = 0;
    const counting: App = (scope, receive, send) =>
      mw(
        scope,
        () => {
          pulled++;
          return receive();
        },
        send,
      );
    const head = '--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n';
    const chunks = [head, ...Array.from({ length: 50 }, () => 'x'.repeat(16)), '\r\n--b--\r\n'];
    const res = await new TestClient(counting).post('/', {
      body: chunks,
      headers: { 'content-type': multipartType },
    });
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(10);
  });

  const limitCases: Array<[string, FormBodyOptions, Record<string, unknown>, Record<string, string>?]> = [
    ['maxFileSize', { maxFileSize: 3 }, { f: { filename: 'f', content: 'four' } }],
    [
      'maxFiles',
      { maxFiles: 1 },
      {
        f: [
          { filename: 'a', content: '1' },
          { filename: 'b', content: '2' },
        ],
      },
    ],
    ['maxFields', { maxFields: 1 }, {}, { a: '1', b: '2' }],
    ['maxFieldSize', { maxFieldSize: 3 }, {}, { a: 'four' }],
    ['maxParts', { maxParts: 2 }, { f: { filename: 'a', content: '1' } }, { a: '1', b: '2' }],
    ['multipartLimit', { multipartLimit: 50 }, { f: { filename: 'a', content: 'x'.repeat(100) } }],
  ];
  for (const [name, options, files, data] of limitCases) {
    it(`${name}: 413 past the limit`, async () => {
      const { app } = recorder();
      const res = await upload(formBody(options)(app), files, data);
      expect(res.status).toBe(413);
    });
  }

  it('attack: a filename with ../ keeps only its last segment, and never reaches the file system', async () => {
    const dir = freshDir();
    const { seen, app } = recorder();
    await upload(formBody({ spoolThreshold: 1, tempDir: dir })(app), {
      doc: { filename: '../../etc/passwd', content: 'root' },
    });
    const doc = seen.form?.files.doc as { filename: string; path: string };
    expect(doc.filename).toBe('passwd');
    expect(doc.path).not.toContain('passwd');
    expect(doc.path.startsWith(dir)).toBe(true);
    const win = `${part('w', 'x', '..\\..\\boot.ini')}--b--\r\n`;
    await form(formBody()(app), win, multipartType);
    expect(seen.form?.files.w).toMatchObject({ filename: 'boot.ini' });
  });

  it('attack: boundary tricks are 400s, not hangs or crashes', async () => {
    const { seen, app } = recorder();
    const mw = formBody()(app);
    // No boundary parameter.
    expect((await form(mw, part('a', '1'), 'multipart/form-data')).status).toBe(400);
    // Body that never reaches its closing delimiter.
    expect((await form(mw, part('a', '1'), multipartType)).status).toBe(400);
    // Boundary text inside a value that is not at a line start is data, not a delimiter.
    seen.form = undefined;
    const res = await form(mw, `${part('a', 'x--b y\r\n-b')}--b--\r\n`, multipartType);
    expect(res.status).toBe(200);
    expect((seen.form as FormBody | undefined)?.fields.a).toBe('x--b y\r\n-b');
    // A part header over busboy's 16 KiB header limit.
    const huge = `--b\r\nContent-Disposition: form-data; name="a"\r\nX: ${'y'.repeat(20 * 1024)}\r\n\r\nv\r\n--b--\r\n`;
    expect((await form(mw, huge, multipartType)).status).toBe(400);
  });

  it('attack: a huge number of tiny fields is refused at maxFields', async () => {
    const { app } = recorder();
    const body = `${part('a', '1').repeat(5000)}--b--\r\n`;
    const res = await form(formBody()(app), body, multipartType);
    expect(res.status).toBe(413);
  });
});

describe('formBody: pass-through and options', () => {
  it('passes other content types and methods through untouched, body unread', async () => {
    const { seen, app } = recorder();
    await form(formBody()(app), '{"a":1}', 'application/json');
    expect(seen.form).toBeUndefined();
    expect(Buffer.from((seen.first as { body: Uint8Array }).body).toString()).toBe('{"a":1}');
    await new TestClient(formBody()(app)).request('OPTIONS', '/', {
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(seen.form).toBeUndefined();
    await new TestClient(formBody({ methods: ['options'] })(app)).request('OPTIONS', '/', {
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(seen.form?.fields.a).toBe('1');
  });

  it('strict: 415 for another content type with a body; a bodiless request passes', async () => {
    const { app } = recorder();
    expect((await form(formBody({ strict: true })(app), '{}', 'application/json')).status).toBe(415);
    expect((await new TestClient(formBody({ strict: true })(app)).delete('/')).status).toBe(200);
  });

  it('passes other scope types through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await formBody()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
  });

  it('refuses unknown and invalid options when applied', () => {
    expect(() => formBody({ maxFeilds: 1 } as never)).toThrow(/unknown option 'maxFeilds'/);
    expect(() => formBody({ maxFiles: -1 })).toThrow(/maxFiles/);
    expect(() => formBody({ tempDir: '' })).toThrow(/tempDir/);
    expect(() => formBody({ methods: 'POST' as never })).toThrow(/methods/);
  });

  it('names its functions for stack traces', () => {
    const mw = formBody();
    expect(mw.name).toBe('formBody');
    expect(mw(recorder().app).name).toBe('formBody');
  });
});

describeMiddlewareChecks('formBody: the shared middleware checks of @pagi/test', formBody());
describeMiddlewareChecks('formBody: the shared checks with a POST it passes on', formBody(), {
  request: { method: 'POST', headers: { 'content-type': 'text/plain' } },
});
