/** directoryApp over a real socket: fetch for listings, raw `net` for paths fetch would normalise. */
import { connect } from 'node:net';
import { createServer, type PagiServer } from '@pagi/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { directoryApp } from '../src/index.js';
import { makeTree, type Tree } from './fixture.js';

let tree: Tree;
let server: PagiServer;
let url: string;
beforeAll(async () => {
  tree = await makeTree();
  server = createServer(directoryApp(tree.root), { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
  await server.listen();
  url = String(server.url).replace(/\/$/, '');
});
afterAll(async () => {
  await server.close();
  await tree.remove();
});

/** The status line of a raw request, the path sent byte for byte. */
function rawStatus(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(data.slice(0, data.indexOf('\r\n'))));
    socket.on('error', reject);
  });
}

it('lists a directory in HTML and JSON', async () => {
  const html = await fetch(`${url}/empty/`);
  expect(html.status).toBe(200);
  expect(await html.text()).toContain('Index of /empty/');
  const json = await fetch(`${url}/empty/?format=json`);
  expect(await json.json()).toEqual({ path: '/empty/', entries: [], truncated: false });
  const redirect = await fetch(`${url}/empty`, { redirect: 'manual' });
  expect(redirect.status).toBe(301);
  expect(redirect.headers.get('location')).toBe('/empty/');
});

it('refuses traversal sent raw: .., encoded .., encoded slash, backslash, NUL, symlinks out', async () => {
  expect(await rawStatus('/../secret/passwd')).toMatch(/^HTTP\/1\.1 (400|404)/);
  expect(await rawStatus('/%2e%2e/secret/passwd')).toBe('HTTP/1.1 400 Bad Request');
  expect(await rawStatus('/..%2f..%2fsecret%2fpasswd')).toBe('HTTP/1.1 400 Bad Request');
  expect(await rawStatus('/%5c..%5csecret')).toBe('HTTP/1.1 400 Bad Request');
  expect(await rawStatus('/hello.txt%00.png')).toBe('HTTP/1.1 400 Bad Request');
  expect(await rawStatus('/dir-out/')).toBe('HTTP/1.1 404 Not Found');
  expect(await rawStatus('/dir-out/passwd')).toBe('HTTP/1.1 404 Not Found');
});
