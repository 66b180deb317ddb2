import type { App } from '@pagi/spec';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Router } from './router.js';

const noop: App = async () => {};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

function table(): Router {
  return new Router()
    .get('/users/:id<int>', noop, { name: 'user' })
    .get('/repos/:owner/:repo', noop, { name: 'repo' })
    .get('/files/*rest', noop, { name: 'file' })
    .get('/raw/:p<path>', noop, { name: 'raw' })
    .get('/:lang?/docs/:page?', noop, { name: 'docs' })
    .get('/items/:id<uuid>/:tag<slug>', noop, { name: 'item' })
    .get('/code/:c([A-Z]{3})', noop, { name: 'code' })
    .get('/café/:x', noop, { name: 'cafe' })
    .get('/', noop, { name: 'home' });
}

describe('url()', () => {
  test('fills parameters and encodes each segment', () => {
    const r = table();
    expect(r.url('user', { id: 42 })).toBe('/users/42');
    expect(r.url('repo', { owner: 'a b', repo: 'x/y?z#' })).toBe('/repos/a%20b/x%2Fy%3Fz%23');
    expect(r.url('cafe', { x: '1' })).toBe('/caf%C3%A9/1');
    expect(r.url('home')).toBe('/');
  });

  test('a wildcard keeps its slashes and encodes the pieces between them', () => {
    const r = table();
    expect(r.url('file', { rest: 'a b/c%d/' })).toBe('/files/a%20b/c%25d/');
    expect(r.url('file', { rest: '' })).toBe('/files/');
  });

  test('optional parameters are left out when absent', () => {
    const r = table();
    expect(r.url('docs')).toBe('/docs');
    expect(r.url('docs', { lang: 'fr', page: 'intro' })).toBe('/fr/docs/intro');
    expect(r.url('docs', { page: 'intro' })).toBe('/docs/intro');
  });

  test('query strings: objects in insertion order with arrays repeated, URLSearchParams, raw strings', () => {
    const r = table();
    expect(r.url('user', { id: 1 }, { query: { tab: 'a b', t: ['x', 'y'], skip: undefined, n: 2 } })).toBe(
      '/users/1?tab=a%20b&t=x&t=y&n=2',
    );
    expect(r.url('user', { id: 1 }, { query: new URLSearchParams({ q: 'x y' }) })).toBe('/users/1?q=x+y');
    expect(r.url('user', { id: 1 }, { query: '?raw=1' })).toBe('/users/1?raw=1');
    expect(r.url('user', { id: 1 }, { query: {} })).toBe('/users/1');
  });

  test('rootPath prefixes the URL, encoded', () => {
    const r = table();
    expect(r.url('user', { id: 1 }, { rootPath: '/my app/' })).toBe('/my%20app/users/1');
    expect(r.url('home', {}, { rootPath: '/api' })).toBe('/api');
    expect(r.url('home', {}, { rootPath: '/:not-a-param/50%' })).toBe('/:not-a-param/50%25');
  });

  test('missing, empty, unknown or constraint-violating parameters are PAGI_ERR_ROUTE_PARAM', () => {
    const r = table();
    expect(codeOf(() => r.url('user'))).toBe('PAGI_ERR_ROUTE_PARAM');
    expect(codeOf(() => r.url('user', { id: 'abc' }))).toBe('PAGI_ERR_ROUTE_PARAM');
    expect(codeOf(() => r.url('user', { id: 1.5 }))).toBe('PAGI_ERR_ROUTE_PARAM');
    expect(codeOf(() => r.url('user', { id: 1, extra: 2 }))).toBe('PAGI_ERR_ROUTE_PARAM');
    expect(codeOf(() => r.url('repo', { owner: '', repo: 'x' }))).toBe('PAGI_ERR_ROUTE_PARAM');
    expect(codeOf(() => r.url('repo', { owner: {}, repo: 'x' }))).toBe('PAGI_ERR_ROUTE_PARAM');
    expect(codeOf(() => r.url('repo', { owner: '\uD800', repo: 'x' }))).toBe('PAGI_ERR_ROUTE_PARAM');
    expect(codeOf(() => r.url('code', { c: 'abc' }))).toBe('PAGI_ERR_ROUTE_PARAM');
    expect(() => r.url('user', { id: 'abc' })).toThrow(/expected parameter 'id' to satisfy <int>, got "abc"/);
  });

  test('an unknown name is PAGI_ERR_ROUTE_NAME', () => {
    expect(codeOf(() => table().url('nope'))).toBe('PAGI_ERR_ROUTE_NAME');
  });

  test('names of a router mounted with a name are reachable as ns.name, under the mount prefix', () => {
    const api = new Router().get('/users/:id', noop, { name: 'user' }).get('/', noop, { name: 'index' });
    const r = new Router().mount('/api/v1', api, { name: 'api' });
    expect(r.url('api.user', { id: 'x y' }, { query: { a: 1 } })).toBe('/api/v1/users/x%20y?a=1');
    expect(r.url('api.index')).toBe('/api/v1');
    expect(codeOf(() => r.url('api.nope'))).toBe('PAGI_ERR_ROUTE_NAME');
    expect(codeOf(() => r.mount('/other', noop, { name: 'x' }))).toBe('PAGI_ERR_ROUTE_NAME');
  });
});

describe('match(url(name, params)) gives the params back (property)', () => {
  const segment = fc.string({ unit: 'grapheme', minLength: 1 });
  const rest = fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 4 }).map((parts) => parts.join('/'));

  function roundTrip(
    r: Router,
    name: string,
    params: Record<string, unknown>,
  ): Record<string, unknown> | undefined {
    const url = r.url(name, params);
    return r.match('GET', url)?.params;
  }

  test('plain parameters with any text, slashes and percent signs included', () => {
    const r = table();
    fc.assert(
      fc.property(segment, segment, (owner, repo) => {
        const back = roundTrip(r, 'repo', { owner, repo });
        // A value could also be taken by a more specific route, never by a different param set.
        expect(back).toEqual({ owner, repo });
      }),
    );
  });

  test('int, uuid and slug parameters', () => {
    const r = table();
    const slug = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.uuid(), slug, (id, uuid, tag) => {
        expect(roundTrip(r, 'user', { id })).toEqual({ id });
        expect(roundTrip(r, 'item', { id: uuid, tag })).toEqual({ id: uuid, tag });
      }),
    );
  });

  test('wildcards and <path> keep their slashes', () => {
    const r = table();
    fc.assert(
      fc.property(rest, (value) => {
        expect(roundTrip(r, 'file', { rest: value })).toEqual({ rest: value });
        if (value !== '') expect(roundTrip(r, 'raw', { p: value })).toEqual({ p: value });
      }),
    );
  });

  test('optional parameters, present or absent', () => {
    const r = table();
    fc.assert(
      fc.property(
        fc.option(segment, { nil: undefined }),
        fc.option(segment, { nil: undefined }),
        (lang, page) => {
          // `{ lang: 'docs' }` and `{ page: 'docs' }` both build `/docs/docs`: optional parameters
          // around a static segment are ambiguous by nature (documented), so skip that one value.
          fc.pre(lang !== 'docs');
          const params: Record<string, string> = {};
          if (lang !== undefined) params.lang = lang;
          if (page !== undefined) params.page = page;
          expect(roundTrip(r, 'docs', params)).toEqual(params);
        },
      ),
    );
  });
});
