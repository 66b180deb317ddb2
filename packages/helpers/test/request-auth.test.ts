import type { App } from '@pagi/spec';
import { AUTH, type AuthInfo, withKey } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Request } from '../src/request/request.js';
import { Response } from '../src/response/response.js';

/** Answers with what the Request helper says about the credentials. */
const probe: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  const req = new Request(scope, receive);
  await Response.json({
    bearer: req.bearerToken(),
    basic: req.basicAuth(),
    auth: req.auth ?? null,
    user: req.user ?? null,
  }).send(scope, receive, send);
};
const ask = async (headers: [string, string][], app: App = probe) =>
  (await new TestClient(app).get('/', { headers })).json() as Promise<Record<string, unknown>>;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('Request.bearerToken() (RFC 6750 §2.1)', () => {
  it('returns the token; the scheme in any case', async () => {
    expect((await ask([['authorization', 'Bearer mF_9.B5f-4.1JqM']])).bearer).toBe('mF_9.B5f-4.1JqM');
    expect((await ask([['authorization', 'bearer abc==']])).bearer).toBe('abc==');
  });

  it('null when absent, malformed, another scheme, or sent twice', async () => {
    for (const headers of [
      [],
      [['authorization', 'Bearer']],
      [['authorization', 'Bearer a b']],
      [['authorization', 'Bearer "q"']],
      [['authorization', 'Basic YTpi']],
      [
        ['authorization', 'Bearer one'],
        ['authorization', 'Bearer two'],
      ],
    ] as [string, string][][]) {
      expect((await ask(headers)).bearer, JSON.stringify(headers)).toBeNull();
    }
  });
});

describe('Request.basicAuth() (RFC 7617)', () => {
  it('returns { username, password } decoded as UTF-8, split at the first colon', async () => {
    expect((await ask([['authorization', `Basic ${b64('jörg:p:ss')}`]])).basic).toEqual({
      username: 'jörg',
      password: 'p:ss',
    });
  });

  it('null when absent, malformed, another scheme, or sent twice', async () => {
    for (const headers of [
      [],
      [['authorization', `Basic ${b64('nocolon')}`]],
      [['authorization', 'Basic !!!']],
      [['authorization', 'Bearer abc']],
      [
        ['authorization', `Basic ${b64('a:b')}`],
        ['authorization', `Basic ${b64('c:d')}`],
      ],
    ] as [string, string][][]) {
      expect((await ask(headers)).basic, JSON.stringify(headers)).toBeNull();
    }
  });

  it('never throws on arbitrary header values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (value) => {
        const scope = { headers: [['authorization', value]] } as never;
        const req = new Request(scope, async () => ({ type: 'http.disconnect' }) as never);
        req.basicAuth();
        req.bearerToken();
      }),
    );
  });
});

describe('Request.auth / Request.user (the AUTH scope key)', () => {
  it('undefined without an auth middleware', async () => {
    expect(await ask([])).toMatchObject({ auth: null, user: null });
  });

  it('what an outer auth layer set with withKey(scope, AUTH, …), typed', async () => {
    const info: AuthInfo = { scheme: 'bearer', user: 'alice', claims: { sub: 'alice' }, scopes: ['read'] };
    const signedIn: App = (scope, receive, send) => probe(withKey(scope, AUTH, info), receive, send);
    expect(await ask([], signedIn)).toMatchObject({ auth: info, user: 'alice' });
  });
});
