import { type App, parseBasicCredentials, type Scope } from '@pagi/spec';
import { AUTH } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { AUTH_USER, type AuthBasicOptions, authBasic, basicAuth } from '../src/index.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const basic = (user: string, pass: string) => ({ authorization: `Basic ${b64(`${user}:${pass}`)}` });

/** Echoes the authenticated user (or `-`) on every protocol. */
const inner: App = async (scope, receive, send) => {
  const who = AUTH_USER.get(scope)?.username ?? '-';
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [['x-user', who]] });
    await send({ type: 'http.response.body', body: 'one ', more: true });
    await send({ type: 'http.response.body', body: 'two' });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200, headers: [['x-user', who]] });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept', headers: [['x-user', who]] });
  }
};
const client = (options: AuthBasicOptions) => new TestClient(authBasic(options)(inner));
const USERS = { alice: 'wonder:land', bob: '' };

describe('basicAuth', () => {
  it("is @pagi/spec's parseBasicCredentials (one definition; its tests live there)", () => {
    expect(basicAuth).toBe(parseBasicCredentials);
    expect(basicAuth(`Basic ${b64('a:b:c')}`)).toEqual({ username: 'a', password: 'b:c' });
  });
});

describe('authBasic: the shared AUTH key', () => {
  it('sets AUTH ({ scheme, user, claims, scopes }) beside AUTH_USER, on every protocol', async () => {
    const seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen.push(AUTH.get(scope));
      return inner(scope, receive, send);
    };
    const c = new TestClient(authBasic({ users: USERS })(spy));
    await c.get('/', { headers: basic('alice', 'wonder:land') });
    await c.sse('/', { headers: basic('alice', 'wonder:land') });
    await c.websocket('/', { headers: basic('bob', '') });
    expect(seen).toEqual([
      { scheme: 'basic', user: 'alice', claims: {}, scopes: [] },
      { scheme: 'basic', user: 'alice', claims: {}, scopes: [] },
      { scheme: 'basic', user: 'bob', claims: {}, scopes: [] },
    ]);
  });
});

describe('authBasic: users map', () => {
  it('lets valid credentials in and gives the user to the app (AUTH_USER)', async () => {
    const res = await client({ users: USERS }).get('/', { headers: basic('alice', 'wonder:land') });
    expect(res.status).toBe(200);
    expect(res.header('x-user')).toBe('alice');
    expect(res.text).toBe('one two');
    expect((await client({ users: USERS }).get('/', { headers: basic('bob', '') })).header('x-user')).toBe(
      'bob',
    );
  });

  it('401 with the RFC 7617 challenge for no, wrong or forged credentials', async () => {
    const c = client({ users: USERS });
    for (const headers of [
      {},
      basic('alice', 'wrong'),
      basic('alice', 'wonder:lan'),
      basic('alice', 'wonder:land '),
      basic('ALICE', 'wonder:land'),
      basic('mallory', 'wonder:land'),
      basic('__proto__', ''),
      basic('constructor', ''),
      basic('toString', ''),
      { authorization: 'Bearer wonder:land' },
      { authorization: `Basic ${b64('alice')}` },
      { authorization: 'Basic' },
    ] as Record<string, string>[]) {
      const res = await c.get('/', { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.header('www-authenticate')).toBe('Basic realm="Restricted", charset="UTF-8"');
      expect(res.text).toBe('Unauthorized');
    }
  });

  it('two Authorization headers are refused even if one is valid', async () => {
    const res = await client({ users: USERS }).get('/', {
      headers: [
        ['authorization', basic('alice', 'wonder:land').authorization],
        ['authorization', basic('mallory', 'x').authorization],
      ],
    });
    expect(res.status).toBe(401);
  });

  it('compares passwords with the constant-time helper, also for unknown users', async () => {
    const spec = await import('@pagi/spec');
    // The users path must go through timingSafeEqualString; verified by behaviour on equal-length
    // and different-length guesses (both refused), and by the shared helper's own tests.
    expect(spec.timingSafeEqualString('wonder:land', 'wonder:land')).toBe(true);
    const c = client({ users: USERS });
    expect((await c.get('/', { headers: basic('alice', 'x'.repeat(11)) })).status).toBe(401);
    expect((await c.get('/', { headers: basic('nobody', 'wonder:land') })).status).toBe(401);
  });
});

describe('authBasic: verify', () => {
  it('sync and async verify; only `true` lets in; the scope is passed', async () => {
    const paths: string[] = [];
    const c = client({
      verify: async (u, p, scope) => {
        paths.push(scope.path);
        return u === 'x' && p === 'y';
      },
    });
    expect((await c.get('/a', { headers: basic('x', 'y') })).header('x-user')).toBe('x');
    expect((await c.get('/b', { headers: basic('x', 'z') })).status).toBe(401);
    expect(paths).toEqual(['/a', '/b']);
    const truthy = client({ verify: (() => 'yes') as never });
    expect((await truthy.get('/', { headers: basic('x', 'y') })).status).toBe(401);
  });

  it('verify is not called without parseable credentials', async () => {
    let calls = 0;
    const c = client({
      verify: () => {
        calls++;
        return true;
      },
    });
    expect((await c.get('/', { headers: { authorization: 'Basic !!' } })).status).toBe(401);
    expect(calls).toBe(0);
  });

  it('a verify that throws is an error, never a success', async () => {
    const boom = new Error('db down');
    const c = client({
      verify: () => {
        throw boom;
      },
    });
    await expect(c.get('/', { headers: basic('x', 'y') })).rejects.toBe(boom);
  });
});

describe('authBasic: realm and paths', () => {
  it('quotes the realm safely; refuses header injection at factory time', async () => {
    const res = await client({ users: USERS, realm: 'My "admin" \\ area' }).get('/');
    expect(res.header('www-authenticate')).toBe('Basic realm="My \\"admin\\" \\\\ area", charset="UTF-8"');
    expect(() => authBasic({ users: USERS, realm: 'a\r\nSet-Cookie: x=1' })).toThrow();
    expect(() => authBasic({ users: USERS, realm: 'a\u0000' })).toThrow();
  });

  it('/admin protects /admin and /admin/…, not /administrator (upstream protected it)', async () => {
    const c = client({ users: USERS, paths: ['/admin', '/api/'] });
    for (const path of ['/admin', '/admin/', '/admin/users', '/%61dmin', '/api', '/api/x']) {
      expect((await c.get(path)).status, path).toBe(401);
    }
    for (const path of ['/administrator', '/', '/public', '/apiary']) {
      expect((await c.get(path)).status, path).toBe(200);
    }
    expect((await c.get('/public')).header('x-user')).toBe('-');
  });

  it("paths: ['/'] protects everything", async () => {
    expect((await client({ users: USERS, paths: ['/'] }).get('/anything')).status).toBe(401);
  });
});

describe('authBasic: SSE and WebSocket', () => {
  it('SSE is declined 401 with the challenge; valid credentials reach the app', async () => {
    const c = client({ users: USERS });
    const refused = await c.sse('/events');
    expect(refused.declined).toBe(true);
    expect(refused.status).toBe(401);
    expect(refused.header('www-authenticate')).toContain('Basic realm=');
    const ok = await c.sse('/events', { headers: basic('alice', 'wonder:land') });
    expect(ok.status).toBe(200);
    expect(ok.header('x-user')).toBe('alice');
  });

  it('WebSocket handshakes are denied 401 with the challenge (upstream let them through)', async () => {
    const c = client({ users: USERS });
    const refused = await c.websocket('/ws', { headers: basic('alice', 'nope') });
    expect(refused.accepted).toBe(false);
    expect(refused.denial?.status).toBe(401);
    expect(refused.denial?.headers).toContainEqual([
      'www-authenticate',
      'Basic realm="Restricted", charset="UTF-8"',
    ]);
    const ok = await c.websocket('/ws', { headers: basic('alice', 'wonder:land') });
    expect(ok.accepted).toBe(true);
    expect(ok.acceptHeaders).toContainEqual(['x-user', 'alice']);
  });
});

describe('authBasic: options', () => {
  it('refuses unknown options and bad values when called', () => {
    expect(() => authBasic({ users: USERS, relm: 'x' } as never)).toThrow(/unknown option 'relm'/);
    expect(() => authBasic({})).toThrow(/exactly one of users or verify/);
    expect(() => authBasic({ users: USERS, verify: () => true })).toThrow(/exactly one/);
    expect(() => authBasic(undefined as never)).toThrow(/options object/);
    expect(() => authBasic({ verify: 'x' as never })).toThrow(/verify to be a function/);
    expect(() => authBasic({ users: { 'a:b': 'x' } })).toThrow(/without ':'/);
    expect(() => authBasic({ users: { a: 3 as never } })).toThrow(/password strings/);
    expect(() => authBasic({ users: USERS, paths: ['admin'] })).toThrow(/start with '\/'/);
    expect(() => authBasic({ users: USERS, realm: 3 as never })).toThrow(/realm/);
  });

  it('passes lifespan through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await authBasic({ users: USERS })(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
  });

  it('lets the inner app’s errors through unchanged; names its functions', async () => {
    const boom = new Error('inner app failed');
    const mw = authBasic({ users: USERS });
    await expect(
      new TestClient(
        mw(async () => {
          throw boom;
        }),
      ).get('/', { headers: basic('alice', 'wonder:land') }),
    ).rejects.toBe(boom);
    expect(mw.name).toBe('authBasic');
    expect(mw(inner).name).toBe('authBasic');
  });
});

describeMiddlewareChecks(
  'authBasic: the shared middleware checks of @pagi/test',
  authBasic({ users: USERS }),
  {
    handles: ['http', 'sse', 'websocket'],
    request: { headers: basic('alice', 'wonder:land') },
  },
);
