import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PagiValidationError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryApp, fileApp } from '../src/index.js';
import { makeTree, type Tree } from './fixture.js';

let tree: Tree;
let client: TestClient;
beforeAll(async () => {
  tree = await makeTree();
  const list = join(tree.root, 'list');
  await mkdir(join(list, 'zdir'), { recursive: true });
  await mkdir(join(list, 'adir'));
  await writeFile(join(list, 'b.txt'), 'bbbb');
  await writeFile(join(list, 'A.txt'), 'x'.repeat(2048));
  await writeFile(join(list, '<img src=x onerror="alert(1)">.txt'), 'xss');
  await writeFile(join(list, 'a b&c?.txt'), 'sp');
  await writeFile(join(list, '.hidden'), 'h');
  await symlink(join(tree.outside, 'passwd'), join(list, 'out-link'));
  await symlink(tree.outside, join(list, 'out-dir'));
  await symlink(join(tree.root, 'hello.txt'), join(list, 'in-link.txt'));
  const when = new Date('2024-01-02T03:04:05Z');
  await utimes(join(list, 'b.txt'), when, when);
  client = new TestClient(directoryApp(tree.root));
});
afterAll(async () => {
  await tree.remove();
});

describe('directoryApp: listings', () => {
  it('an HTML listing: directories first, then names in code-point order, escaped, with sizes and mtimes', async () => {
    const res = await client.get('/list/');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe('text/html; charset=utf-8');
    expect(res.header('vary')).toBe('Accept');
    const names = [...res.text.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => m[2]);
    expect(names).toEqual([
      '../',
      'adir/',
      'zdir/',
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.txt',
      'A.txt',
      'a b&amp;c?.txt',
      'b.txt',
      'in-link.txt',
    ]);
    expect(res.text).not.toContain('<img');
    expect(res.text).toContain('href="./a%20b%26c%3F.txt"');
    expect(res.text).toContain('2.0 KiB');
    expect(res.text).toContain('<time>2024-01-02T03:04:05.000Z</time>');
    expect(res.text).toContain('<title>Index of /list/</title>');
  });

  it('hides dotfiles and symlinks leaving the root; showHidden lists dotfiles', async () => {
    const res = await client.get('/list/', { headers: { accept: 'application/json' } });
    const names = (res.json() as { entries: { name: string }[] }).entries.map((e) => e.name);
    expect(names).not.toContain('.hidden');
    expect(names).not.toContain('out-link');
    expect(names).not.toContain('out-dir');
    const shown = new TestClient(directoryApp(tree.root, { showHidden: true }));
    const all = (await shown.get('/list/?format=json')).json() as { entries: { name: string }[] };
    expect(all.entries.map((e) => e.name)).toContain('.hidden');
  });

  it('JSON by Accept or ?format=json; ?format=html wins over Accept; an unknown format is 400', async () => {
    const byAccept = await client.get('/list/', { headers: { accept: 'application/json' } });
    expect(byAccept.header('content-type')).toBe('application/json; charset=utf-8');
    const doc = byAccept.json() as { path: string; truncated: boolean; entries: unknown[] };
    expect(doc.path).toBe('/list/');
    expect(doc.truncated).toBe(false);
    expect(doc.entries[0]).toEqual({ name: 'adir', isDir: true, size: 0, mtime: expect.any(String) });
    expect(doc.entries).toContainEqual({
      name: 'b.txt',
      isDir: false,
      size: 4,
      mtime: '2024-01-02T03:04:05.000Z',
    });
    expect((await client.get('/list/?format=json')).header('content-type')).toMatch(/^application\/json/);
    const html = await client.get('/list/?format=html', { headers: { accept: 'application/json' } });
    expect(html.header('content-type')).toMatch(/^text\/html/);
    const browser = await client.get('/list/', {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(browser.header('content-type')).toMatch(/^text\/html/);
    expect((await client.get('/list/?format=xml')).status).toBe(400);
  });

  it('the root has no parent link; an index file wins over the listing', async () => {
    const root = new TestClient(directoryApp(join(tree.root, 'list')));
    expect((await root.get('/')).text).not.toContain('href="../"');
    expect((await client.get('/')).text).toBe('<h1>home</h1>');
    expect((await client.get('/docs/')).text).toBe('<h1>docs</h1>');
  });

  it('maxEntries bounds a listing and says so', async () => {
    const small = new TestClient(directoryApp(tree.root, { maxEntries: 2 }));
    const doc = (await small.get('/list/?format=json')).json() as { truncated: boolean; entries: unknown[] };
    expect(doc.truncated).toBe(true);
    expect(doc.entries.length).toBeLessThanOrEqual(2);
    expect((await small.get('/list/')).text).toContain('Listing truncated.');
  });

  it('/dir redirects to /dir/ (301, query kept), built from the checked segments', async () => {
    const res = await client.get('/list?a=1');
    expect(res.status).toBe(301);
    expect(res.header('location')).toBe('/list/?a=1');
    // Empty segments are dropped: never a protocol-relative //list/ (open redirect).
    expect((await client.get('//list')).header('location')).toBe('/list/');
    const mounted = await new TestClient(directoryApp(tree.root), { rootPath: '/files' }).get('/files/list');
    expect(mounted.header('location')).toBe('/files/list/');
  });

  it('serves files, HEAD without a body, other methods 405', async () => {
    expect((await client.get('/list/b.txt')).text).toBe('bbbb');
    const head = await client.head('/list/');
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    const post = await client.post('/list/');
    expect(post.status).toBe(405);
    expect(post.header('allow')).toBe('GET, HEAD');
  });
});

describe('directoryApp: path safety', () => {
  it.each([
    ['/..', 400],
    ['/list/../../secret/passwd', 400],
    ['/%2e%2e/secret/passwd', 400],
    ['/list/%2e%2e%2f%2e%2e%2fsecret%2fpasswd', 400],
    ['/..%2fsecret', 400],
    ['/list%5c..%5c..%5csecret', 400],
    ['/list/b.txt%00.png', 400],
    ['/%00', 400],
    ['//etc/passwd', 404],
    ['/list/out-link', 404],
    ['/list/out-dir/', 404],
    ['/list/out-dir/passwd', 404],
    ['/dir-out/', 404],
    ['/other/leak.txt', 404],
    ['/.env', 404],
    ['/.git/', 404],
    ['/list/.hidden', 404],
  ])('%s → %i', async (path, status) => {
    const res = await client.get(path);
    expect(res.status).toBe(status);
    expect(res.text).not.toContain('root:x');
    expect(res.text).not.toContain('leak');
  });

  it('dotfiles: "deny" gives 403', async () => {
    const deny = new TestClient(directoryApp(tree.root, { dotfiles: 'deny' }));
    expect((await deny.get('/.git/')).status).toBe(403);
  });
});

describe('directoryApp and fileApp: other scopes and options', () => {
  it('WebSocket and SSE get a 404 refusal; lifespan is declined', async () => {
    const ws = await client.websocket('/list/');
    expect(ws.denial?.status).toBe(404);
    const sse = await client.sse('/list/');
    expect(sse.status).toBe(404);
    await expect(client.startup()).resolves.toBeUndefined();
  });

  it('fileApp serves files and index.htm, never lists', async () => {
    const files = new TestClient(fileApp(tree.root));
    expect((await files.get('/docs/')).text).toBe('<h1>docs</h1>');
    expect((await files.get('/list/')).status).toBe(404);
    expect((await files.get('/%2e%2e/secret/passwd')).status).toBe(400);
    expect((await files.post('/hello.txt')).status).toBe(405);
  });

  it('bad options are refused with the app named', () => {
    expect(() => directoryApp(tree.root, { showHidden: 1 } as never)).toThrow('directoryApp(): showHidden');
    expect(() => directoryApp(tree.root, { maxEntries: 0 })).toThrow(PagiValidationError);
    expect(() => directoryApp(tree.root, { listing: 'json' } as never)).toThrow(
      "directoryApp(): unknown option 'listing'",
    );
    expect(() => fileApp(tree.root, { nope: 1 } as never)).toThrow("fileApp(): unknown option 'nope'");
    expect(() => fileApp('')).toThrow(PagiValidationError);
  });
});
