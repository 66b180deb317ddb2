/** Over a real socket: @pagi/server streams the `file` body events this package sends. */
import { createServer, type PagiServer } from '@pagi/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { staticApp } from '../src/index.js';
import { DIGITS, HELLO, makeTree, type Tree } from './fixture.js';

let tree: Tree;
let server: PagiServer;
let url: string;
beforeAll(async () => {
  tree = await makeTree();
  server = createServer(staticApp(tree.root), { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
  await server.listen();
  url = String(server.url).replace(/\/$/, '');
});
afterAll(async () => {
  await server.close();
  await tree.remove();
});

it('serves a whole file, a single range and a multipart range', async () => {
  const whole = await fetch(`${url}/hello.txt`);
  expect(whole.status).toBe(200);
  expect(await whole.text()).toBe(HELLO);
  expect(whole.headers.get('content-length')).toBe(String(HELLO.length));

  const one = await fetch(`${url}/digits.txt`, { headers: { range: 'bytes=-3' } });
  expect(one.status).toBe(206);
  expect(await one.text()).toBe('hij');

  const many = await fetch(`${url}/digits.txt`, { headers: { range: 'bytes=0-1,5-6' } });
  expect(many.status).toBe(206);
  const text = await many.text();
  expect(text.length).toBe(Number(many.headers.get('content-length')));
  expect(text).toContain('content-range: bytes 5-6/20\r\n\r\n56\r\n');
  expect(DIGITS.slice(5, 7)).toBe('56');
});

it('a file larger than one chunk arrives intact', async () => {
  const { writeFile } = await import('node:fs/promises');
  const big = Buffer.alloc(300_000, 'x');
  big.write('END', big.length - 3);
  await writeFile(`${tree.root}/big.bin`, big);
  const res = await fetch(`${url}/big.bin`);
  expect(res.headers.get('content-type')).toBe('application/octet-stream');
  expect(Buffer.from(await res.arrayBuffer()).equals(big)).toBe(true);
});

it('refuses encoded traversal that reaches the server unnormalised (node:http sends the path as is)', async () => {
  const { request } = await import('node:http');
  const status = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(url);
      const req = request({ hostname, port, path }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  expect(await status('/..%2f..%2fsecret/passwd')).toBe(400);
  expect(await status('/%2e%2e/secret/passwd')).toBe(400);
  expect(await status('/link-out.txt')).toBe(404);
});
