/** Property: the app chosen for any path is the longest prefix the path equals or lies below. */
import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { urlMap } from '../src/index.js';

const segment = fc.constantFrom('a', 'ab', 'b', 'api', 'x', 'a.b', '-');
const path = fc.array(segment, { minLength: 0, maxLength: 4 }).map((s) => `/${s.join('/')}`);

function named(name: string): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    await send({ type: 'http.response.start', status: 200, headers: [] });
    await send({ type: 'http.response.body', body: `${name}|${scope.root_path}` });
  };
}

/** The reference rule, written the obvious way. */
function expected(prefixes: string[], p: string): string | undefined {
  const under = prefixes.filter((q) => q === '/' || p === q || p.startsWith(`${q}/`));
  return under.sort((a, b) => b.length - a.length)[0];
}

it('picks the longest prefix on segment boundaries, with root_path = that prefix', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(path, { minLength: 1, maxLength: 5 }), path, async (prefixes, p) => {
      const client = new TestClient(urlMap(Object.fromEntries(prefixes.map((q) => [q, named(q)]))));
      const res = await client.get(p);
      const want = expected(prefixes, p);
      if (want === undefined) expect(res.status).toBe(404);
      else expect(res.text).toBe(`${want}|${want === '/' ? '' : want}`);
    }),
    { numRuns: 200 },
  );
});
