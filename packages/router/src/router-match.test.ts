import type { App } from '@pagi/spec';
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

/** Pattern of the route that matches, or undefined. */
function hit(router: Router, path: string, method = 'GET'): string | undefined {
  return router.match(method, path)?.route.pattern;
}

describe('static, parameter and wildcard matching', () => {
  test('static routes, the root and trailing-slash forms are distinct', () => {
    const r = new Router().get('/', noop).get('/about', noop).get('/about/', noop);
    expect(hit(r, '/')).toBe('/');
    expect(hit(r, '/about')).toBe('/about');
    expect(hit(r, '/about/')).toBe('/about/');
    expect(hit(r, '/nope')).toBeUndefined();
  });

  test('static children are found after a parameter, in narrow and wide nodes, trailing slash included', () => {
    // More than 8 static children of one node: looked up by first character (the empty one by `/`).
    const letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    for (const wide of [false, true]) {
      const r = new Router().get('/:p/', noop).get('/:p/:q', noop);
      for (const l of wide ? letters : letters.slice(0, 2)) r.get(`/:p/${l}`, noop);
      expect(hit(r, '/x/'), `wide ${wide}`).toBe('/:p/');
      expect(hit(r, '/x/b'), `wide ${wide}`).toBe('/:p/b');
      expect(hit(r, '/x/%62'), `wide ${wide}`).toBe('/:p/b');
      expect(hit(r, '/x/bb'), `wide ${wide}`).toBe('/:p/:q');
      expect(hit(r, '/x/b/'), `wide ${wide}`).toBeUndefined();
    }
  });

  test('a static text that needs decoding is matched by its encoded form only', () => {
    const r = new Router().get('/%61', noop).get('/a', noop).get('/café', noop).get('/100%', noop);
    expect(hit(r, '/%61')).toBe('/a');
    expect(hit(r, '/%2561')).toBe('/%61');
    expect(hit(r, '/caf%C3%A9')).toBe('/café');
    expect(hit(r, '/100%25')).toBe('/100%');
    expect(hit(r, '/100%')).toBe('/100%');
  });

  test('a parameter takes one non-empty segment', () => {
    const r = new Router().get('/users/:id/posts', noop);
    expect(r.match('GET', '/users/7/posts')?.params).toEqual({ id: '7' });
    expect(hit(r, '/users//posts')).toBeUndefined();
    expect(hit(r, '/users/7/8/posts')).toBeUndefined();
  });

  test('specificity beats registration order: static, constrained, plain, wildcard', () => {
    const r = new Router()
      .get('/u/*rest', noop)
      .get('/u/:name', noop)
      .get('/u/:id<int>', noop)
      .get('/u/me', noop);
    expect(hit(r, '/u/me')).toBe('/u/me');
    expect(r.match('GET', '/u/42')?.params).toEqual({ id: 42 });
    expect(hit(r, '/u/bob')).toBe('/u/:name');
    expect(r.match('GET', '/u/a/b')?.params).toEqual({ rest: 'a/b' });
  });

  test('backtracks out of a static branch that cannot finish', () => {
    const r = new Router().get('/users/new', noop).get('/users/:id/edit', noop);
    expect(r.match('GET', '/users/new/edit')?.params).toEqual({ id: 'new' });
  });

  test('constrained parameters are tried in registration order and fall through on failure', () => {
    const r = new Router().get('/x/:a(\\d{2})', noop).get('/x/:b(\\d+)', noop).get('/x/:c', noop);
    expect(r.match('GET', '/x/12')?.params).toEqual({ a: '12' });
    expect(r.match('GET', '/x/123')?.params).toEqual({ b: '123' });
    expect(r.match('GET', '/x/abc')?.params).toEqual({ c: 'abc' });
  });

  test('named types: int becomes a number; uuid, slug and path are checked', () => {
    const r = new Router()
      .get('/i/:n<int>', noop)
      .get('/u/:id<uuid>', noop)
      .get('/s/:s<slug>', noop)
      .get('/p/:file<path>', noop);
    expect(r.match('GET', '/i/-12')?.params).toEqual({ n: -12 });
    expect(hit(r, '/i/1.5')).toBeUndefined();
    expect(hit(r, '/i/99999999999999999999')).toBeUndefined();
    expect(r.match('GET', '/u/123e4567-e89b-12d3-a456-426614174000')?.params.id).toBe(
      '123e4567-e89b-12d3-a456-426614174000',
    );
    expect(hit(r, '/u/123')).toBeUndefined();
    expect(hit(r, '/s/hello-world')).toBe('/s/:s<slug>');
    expect(hit(r, '/s/hello%20world')).toBeUndefined();
    expect(r.match('GET', '/p/a/b.txt')?.params).toEqual({ file: 'a/b.txt' });
    expect(hit(r, '/p/')).toBeUndefined();
  });

  test('optional parameters match with and without the segment', () => {
    const r = new Router().get('/:lang?/docs/:page?', noop);
    expect(r.match('GET', '/docs')?.params).toEqual({});
    expect(r.match('GET', '/en/docs')?.params).toEqual({ lang: 'en' });
    expect(r.match('GET', '/docs/intro')?.params).toEqual({ page: 'intro' });
    expect(r.match('GET', '/en/docs/intro')?.params).toEqual({ lang: 'en', page: 'intro' });
  });

  test('a wildcard takes the rest, slashes included, possibly empty, but needs its slash', () => {
    const r = new Router().get('/files/*rest', noop);
    expect(r.match('GET', '/files/a/b/c.txt')?.params).toEqual({ rest: 'a/b/c.txt' });
    expect(r.match('GET', '/files/')?.params).toEqual({ rest: '' });
    expect(r.match('GET', '/files/dir/')?.params).toEqual({ rest: 'dir/' });
    expect(hit(r, '/files')).toBeUndefined();
  });

  test('<path> (never empty) is tried before * (may be empty) at the same place', () => {
    const r = new Router().get('/f/*any', noop).get('/f/:some<path>', noop);
    expect(hit(r, '/f/x/y')).toBe('/f/:some<path>');
    expect(hit(r, '/f/')).toBe('/f/*any');
  });

  test('a path that does not start with / (OPTIONS *) matches nothing', () => {
    const r = new Router().all('/*rest', noop);
    expect(hit(r, '*', 'OPTIONS')).toBeUndefined();
  });
});

describe('percent-decoding of parameters', () => {
  test('%2F inside a segment is a / in the value and never splits segments', () => {
    const r = new Router().get('/repos/:owner/:repo', noop).get('/files/*rest', noop);
    expect(r.match('GET', '/repos/a%2Fb/c')?.params).toEqual({ owner: 'a/b', repo: 'c' });
    expect(hit(r, '/repos/a%2Fb%2Fc')).toBeUndefined();
    expect(r.match('GET', '/files/a%2Fb/c')?.params).toEqual({ rest: 'a/b/c' });
  });

  test('decodes once: %2525 is %25 in the value, not %', () => {
    const r = new Router().get('/t/:v', noop);
    expect(r.match('GET', '/t/%2525')?.params).toEqual({ v: '%25' });
  });

  test('UTF-8 is decoded; invalid UTF-8 falls back to latin1 (D-8)', () => {
    const r = new Router().get('/t/:v', noop);
    expect(r.match('GET', '/t/caf%C3%A9')?.params).toEqual({ v: 'café' });
    expect(r.match('GET', '/t/%FF%FE')?.params).toEqual({ v: '\u00ff\u00fe' });
    // Raw bytes above 0x7F (a byte-string raw_path) decode the same way.
    expect(r.match('GET', '/t/caf\u00c3\u00a9')?.params).toEqual({ v: 'café' });
  });

  test('malformed escapes do not throw; the % stays literal, like scope.path', () => {
    const r = new Router().get('/t/:v', noop);
    expect(r.match('GET', '/t/%zz')?.params).toEqual({ v: '%zz' });
    expect(r.match('GET', '/t/100%')?.params).toEqual({ v: '100%' });
    expect(r.match('GET', '/t/%4')?.params).toEqual({ v: '%4' });
  });

  test('static segments compare decoded, so encoded requests reach them', () => {
    const r = new Router().get('/café/menu', noop).get('/a b', noop).get('/about', noop);
    expect(hit(r, '/caf%C3%A9/menu')).toBe('/café/menu');
    expect(hit(r, '/caf%c3%a9/menu')).toBe('/café/menu');
    expect(hit(r, '/a%20b')).toBe('/a b');
    expect(hit(r, '/%61bout')).toBe('/about');
  });

  test('constraints apply to the decoded value', () => {
    const r = new Router().get('/n/:n<int>', noop);
    expect(r.match('GET', '/n/%34%32')?.params).toEqual({ n: 42 });
  });
});

describe('methods and scope types', () => {
  test('HEAD uses the GET route unless a HEAD route exists; `all` is the last resort', () => {
    const get: App = async () => {};
    const head: App = async () => {};
    const all: App = async () => {};
    const r = new Router().get('/a', get).get('/b', get).head('/b', head).all('/a', all);
    expect(r.match('HEAD', '/a')?.app).toBe(get);
    expect(r.match('HEAD', '/b')?.app).toBe(head);
    expect(r.match('DELETE', '/a')?.app).toBe(all);
    expect(r.match('DELETE', '/b')).toBeUndefined();
  });

  test('the method of one route does not hide another route that has it', () => {
    const r = new Router().post('/users/new', noop).get('/users/:id', noop);
    expect(r.match('GET', '/users/new')?.params).toEqual({ id: 'new' });
    expect(r.match('POST', '/users/new')?.params).toEqual({});
  });

  test('route() takes several methods, case-insensitively', () => {
    const r = new Router().route(['get', 'Post'], '/s', noop);
    expect(hit(r, '/s', 'GET')).toBe('/s');
    expect(hit(r, '/s', 'POST')).toBe('/s');
    expect(hit(r, '/s', 'PUT')).toBeUndefined();
  });

  test('websocket and sse routes are matched only by their own scope type', () => {
    const r = new Router().websocket('/live', noop).sse('/live', noop).get('/page', noop);
    expect(r.match('GET', '/live')).toBeUndefined();
    expect(r.match('GET', '/live', 'websocket')?.route.pattern).toBe('/live');
    expect(r.match('POST', '/live', 'sse')?.route.pattern).toBe('/live');
    expect(r.match('GET', '/page', 'sse')).toBeUndefined();
  });
});

describe('registration errors', () => {
  test('identical patterns for the same method conflict at registration, whatever the param names', () => {
    const r = new Router().get('/users/:id', noop);
    expect(codeOf(() => r.get('/users/:userId', noop))).toBe('PAGI_ERR_ROUTE_CONFLICT');
    expect(() => r.get('/users/:userId', noop)).toThrow(/GET '\/users\/:userId'.*GET '\/users\/:id'/);
  });

  test('different methods, scope types or constraints do not conflict', () => {
    const r = new Router().get('/x/:id', noop);
    expect(() => r.post('/x/:id', noop).websocket('/x/:id', noop).sse('/x/:id', noop)).not.toThrow();
    expect(() => r.get('/x/:id<int>', noop).get('/x/:id(\\d+)', noop)).not.toThrow();
    expect(codeOf(() => r.get('/x/:n<int>', noop))).toBe('PAGI_ERR_ROUTE_CONFLICT');
  });

  test('an optional form that duplicates an existing route conflicts, and nothing is half-registered', () => {
    const r = new Router().get('/docs', noop);
    expect(codeOf(() => r.get('/:lang?/docs', noop))).toBe('PAGI_ERR_ROUTE_CONFLICT');
    expect(hit(r, '/en/docs')).toBeUndefined();
  });

  test('a pattern whose optional forms collide with each other is rejected', () => {
    expect(codeOf(() => new Router().get('/:a?/:b?', noop))).toBe('PAGI_ERR_ROUTE_CONFLICT');
  });

  test('bad methods, handlers, middleware and names are typed errors', () => {
    const r = new Router();
    expect(codeOf(() => r.route('GE T', '/', noop))).toBe('PAGI_ERR_ROUTE_METHOD');
    expect(codeOf(() => r.route([], '/', noop))).toBe('PAGI_ERR_ROUTE_METHOD');
    expect(codeOf(() => r.get('/', 'nope' as unknown as App))).toBe('PAGI_ERR_ROUTE_HANDLER');
    expect(codeOf(() => r.get('/', noop, { middleware: [42 as never] }))).toBe('PAGI_ERR_ROUTE_HANDLER');
    expect(codeOf(() => r.get('no-slash', noop))).toBe('PAGI_ERR_ROUTE_SYNTAX');
    r.get('/a', noop, { name: 'a' });
    expect(codeOf(() => r.get('/b', noop, { name: 'a' }))).toBe('PAGI_ERR_ROUTE_NAME');
    expect(codeOf(() => new Router({ trailingSlash: 'sometimes' as never }))).toBe('PAGI_ERR_ROUTE_SYNTAX');
  });

  test('mount prefixes must be static and unique', () => {
    const r = new Router().mount('/api', noop);
    expect(codeOf(() => r.mount('/api/', noop))).toBe('PAGI_ERR_ROUTE_CONFLICT');
    expect(codeOf(() => r.mount('/:x', noop))).toBe('PAGI_ERR_ROUTE_SYNTAX');
    expect(codeOf(() => r.mount('/p', { app: 1 } as never))).toBe('PAGI_ERR_ROUTE_HANDLER');
  });

  test('registering after compile throws PAGI_ERR_ROUTER_FROZEN', () => {
    const r = new Router().get('/', noop).compile();
    expect(codeOf(() => r.get('/late', noop))).toBe('PAGI_ERR_ROUTER_FROZEN');
    expect(codeOf(() => r.use((app) => app))).toBe('PAGI_ERR_ROUTER_FROZEN');
    expect(codeOf(() => r.group('/g', () => {}))).toBe('PAGI_ERR_ROUTER_FROZEN');
    expect(codeOf(() => r.mount('/m', noop))).toBe('PAGI_ERR_ROUTER_FROZEN');
  });

  test('errors are PagiErrors with the RouterError name', async () => {
    const { isPagiError } = await import('@pagi/spec');
    try {
      new Router().get('bad', noop);
      expect.unreachable();
    } catch (err) {
      expect(isPagiError(err)).toBe(true);
      expect((err as Error).name).toBe('RouterError');
    }
  });
});

describe('groups', () => {
  test('prefixes concatenate, may hold parameters, and / inside a group is the group path', () => {
    const r = new Router();
    r.group('/orgs/:org', (g) => {
      g.get('/', noop);
      g.group('/teams', (t) => t.get('/:team', noop, { name: 'team' }));
    });
    expect(hit(r, '/orgs/acme')).toBe('/orgs/:org');
    expect(r.match('GET', '/orgs/acme/teams/core')?.params).toEqual({ org: 'acme', team: 'core' });
  });

  test('group names prefix route names', () => {
    const r = new Router();
    r.group('/admin', (g) => g.get('/users', noop, { name: 'users' }), { name: 'admin' });
    expect(r.match('GET', '/admin/users')?.route.name).toBe('admin.users');
    expect(r.url('admin.users')).toBe('/admin/users');
  });
});
