import { join } from 'node:path';
import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { containedRealPath, serveFile } from '../src/index.js';
import { HELLO, makeTree, type Tree } from './fixture.js';

let tree: Tree;
beforeAll(async () => {
  tree = await makeTree();
});
afterAll(async () => {
  await tree.remove();
});

/** An app that picks the file itself from a query, and says when serveFile declined. */
const picker =
  (options = {}): App =>
  async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    const served = await serveFile(scope, send, join(tree.root, scope.query_string), options);
    if (!served) {
      await send({ type: 'http.response.start', status: 418, headers: [] });
      await send({ type: 'http.response.body' });
    }
  };

it('serves a file an app picked, and resolves false (nothing sent) for a directory or a miss', async () => {
  const c = new TestClient(picker());
  expect((await c.get('/?hello.txt')).text).toBe(HELLO);
  expect((await c.get('/?docs')).status).toBe(418);
  expect((await c.get('/?missing')).status).toBe(418);
});

it('without realRoot follows any symlink; with it, refuses one leading out', async () => {
  expect((await new TestClient(picker()).get('/?link-out.txt')).status).toBe(200);
  const realRoot = await containedRealPath(tree.root, undefined);
  expect((await new TestClient(picker({ realRoot })).get('/?link-out.txt')).status).toBe(418);
});

it('a cacheControl value is sent as given', async () => {
  const res = await new TestClient(picker({ cacheControl: 'no-cache' })).get('/?hello.txt');
  expect(res.header('cache-control')).toBe('no-cache');
});
