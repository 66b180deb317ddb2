import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { App, Scope } from '@pagi/spec';
import { AUTH } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { createLocalJWKSet, exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthBearerOptions, authBearer } from '../src/index.js';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const secretBytes = new TextEncoder().encode(SECRET);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A signed HS256 token with `claims` (defaults: sub alice, 1 h expiry). */
function hs256(claims: Record<string, unknown> = {}, secret: Uint8Array = secretBytes): Promise<string> {
  return new SignJWT({ sub: 'alice', exp: now() + 3600, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(secret);
}
function rs256(claims: Record<string, unknown> = {}, key = rsa.privateKey, kid?: string): Promise<string> {
  return new SignJWT({ sub: 'alice', exp: now() + 3600, ...claims })
    .setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) })
    .sign(key);
}
/** A token signed by hand: any header, any payload, HMAC-SHA256 with `key` (or no signature). */
function forge(header: object, payload: object, key?: string | Buffer): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return key === undefined
    ? `${input}.`
    : `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Echoes AUTH on every protocol. */
const inner: App = async (scope, receive, send) => {
  const auth = AUTH.get(scope);
  const who = auth === undefined ? '-' : `${auth.user}|${auth.scopes.join(',')}`;
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
const client = (options: AuthBearerOptions) => new TestClient(authBearer(options)(inner));
const hsClient = (extra: Partial<AuthBearerOptions> = {}) =>
  client({ algorithms: ['HS256'], secret: SECRET, ...extra });
const rsClient = (extra: Partial<AuthBearerOptions> = {}) =>
  client({ algorithms: ['RS256'], key: rsa.publicKey, ...extra });

describe('authBearer: good tokens', () => {
  it('HS256 secret: the app runs with AUTH = { scheme, user: sub, claims, scopes }', async () => {
    const seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen.push(AUTH.get(scope));
      return inner(scope, receive, send);
    };
    const token = await hs256({ scope: 'read write' });
    const res = await new TestClient(authBearer({ algorithms: ['HS256'], secret: SECRET })(spy)).get('/', {
      headers: bearer(token),
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('one two');
    expect(seen[0]).toMatchObject({ scheme: 'bearer', user: 'alice', scopes: ['read', 'write'] });
    expect((seen[0] as { claims: { sub: string } }).claims.sub).toBe('alice');
  });

  it('RS256 public key (KeyObject, PEM string or JWK); scheme any case; scp as a list', async () => {
    const token = await rs256({ scp: ['a', 'b'] });
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const jwk = rsa.publicKey.export({ format: 'jwk' });
    for (const key of [rsa.publicKey, pem, jwk]) {
      const res = await rsClient({ key: key as never }).get('/', {
        headers: { authorization: `bEaReR ${token}` },
      });
      expect(res.header('x-user')).toBe('alice|a,b');
    }
  });

  it('jwks: a local key set, picked by kid; an unknown kid is refused', async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' };
    const jwks = createLocalJWKSet({ keys: [jwk] });
    const c = client({ algorithms: ['RS256'], jwks });
    expect((await c.get('/', { headers: bearer(await rs256({}, rsa.privateKey, 'k1')) })).status).toBe(200);
    const res = await c.get('/', { headers: bearer(await rs256({}, other.privateKey, 'k2')) });
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="No key matches the token"',
    );
  });

  it('protects SSE (declined 401) and WebSocket handshakes (denied 401) too', async () => {
    const c = hsClient();
    const token = await hs256();
    expect((await c.sse('/', { headers: bearer(token) })).headers).toContainEqual(['x-user', 'alice|']);
    const sse = await c.sse('/');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(401);
    const ws = await c.websocket('/', { headers: bearer(token) });
    expect(ws.acceptHeaders).toContainEqual(['x-user', 'alice|']);
    const denied = await c.websocket('/', { headers: bearer('nope') });
    expect(denied.accepted).toBe(false);
    expect(denied.denial?.status).toBe(401);
    expect(denied.denial?.headers).toContainEqual([
      'www-authenticate',
      'Bearer realm="api", error="invalid_token", error_description="The token is malformed"',
    ]);
  });
});

describe('authBearer: RFC 6750 §3 answers', () => {
  it('no token: 401 with a bare challenge (no error code, §3.1)', async () => {
    for (const headers of [{}, { authorization: 'Basic YTpi' }] as Record<string, string>[]) {
      const res = await hsClient().get('/', { headers });
      expect(res.status).toBe(401);
      expect(res.header('www-authenticate')).toBe('Bearer realm="api"');
    }
  });

  it('a malformed Bearer credential: 400 invalid_request', async () => {
    for (const authorization of ['Bearer', 'Bearer a b', 'Bearer "x"', 'Bearer a,b']) {
      const res = await hsClient().get('/', { headers: { authorization } });
      expect(res.status, authorization).toBe(400);
      expect(res.header('www-authenticate')).toMatch(
        /^Bearer realm="api", error="invalid_request", error_description="/,
      );
    }
  });

  it('requiredScopes: 403 insufficient_scope naming the scopes; all of them needed', async () => {
    const c = hsClient({ requiredScopes: ['read', 'admin'] });
    const partial = await c.get('/', { headers: bearer(await hs256({ scope: 'read' })) });
    expect(partial.status).toBe(403);
    expect(partial.header('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="The token does not grant the required scope", scope="read admin"',
    );
    const full = await c.get('/', { headers: bearer(await hs256({ scope: 'admin read extra' })) });
    expect(full.status).toBe(200);
  });

  it('realm: escaped as a quoted-string; control characters refused at factory time', async () => {
    const res = await hsClient({ realm: 'my "api"' }).get('/');
    expect(res.header('www-authenticate')).toBe('Bearer realm="my \\"api\\""');
    expect(() => hsClient({ realm: 'a\r\nSet-Cookie: x=1' })).toThrow(/CR|LF|control/i);
  });
});

describe('authBearer: attacks', () => {
  it('alg none is never accepted (unsigned token, any spelling)', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const token = forge({ alg, typ: 'JWT' }, { sub: 'admin', exp: now() + 3600 });
      const res = await hsClient().get('/', { headers: bearer(token) });
      expect(res.status).toBe(401);
      expect(res.header('x-user')).toBeUndefined();
    }
    expect(() => client({ algorithms: ['none' as never], secret: SECRET })).toThrow(/never accepted/);
  });

  it('alg confusion: an HS256 token "signed" with the RSA public key is refused', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const token = forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'admin', exp: now() + 3600 }, pem);
    const res = await rsClient().get('/', { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toContain(
      'error_description="The token algorithm is not allowed"',
    );
    // And the configurations that would make it work are refused when the middleware is built.
    expect(() => client({ algorithms: ['RS256', 'HS256'], key: rsa.publicKey })).toThrow(/no HMAC algorithm/);
    expect(() => client({ algorithms: ['HS256'], secret: pem })).toThrow(/PEM key/);
    expect(() => client({ algorithms: ['HS256', 'RS256'], secret: SECRET })).toThrow(/only HS256/);
    expect(() => client({ algorithms: ['RS256'], key: rsa.privateKey })).toThrow(/public key/);
  });

  it('a token signed with another key or secret is refused', async () => {
    expect((await rsClient().get('/', { headers: bearer(await rs256({}, other.privateKey)) })).status).toBe(
      401,
    );
    const wrong = await hs256({}, new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'));
    const res = await hsClient().get('/', { headers: bearer(wrong) });
    expect(res.header('www-authenticate')).toContain('error_description="The token signature is invalid"');
  });

  it('a tampered payload (signature kept) is refused', async () => {
    const [head, , sig] = (await hs256({ role: 'user' })).split('.');
    const payload = b64url(JSON.stringify({ sub: 'alice', role: 'admin', exp: now() + 3600 }));
    const res = await hsClient().get('/', { headers: bearer(`${head}.${payload}.${sig}`) });
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toContain('signature is invalid');
  });

  it('expired: refused; within clockTolerance (default 5 s) accepted; clockTolerance 0 strict', async () => {
    const old = await hs256({ exp: now() - 3600 });
    const res = await hsClient().get('/', { headers: bearer(old) });
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toContain('error_description="The token has expired"');
    const justNow = await hs256({ exp: now() - 2 });
    expect((await hsClient().get('/', { headers: bearer(justNow) })).status).toBe(200);
    expect((await hsClient({ clockTolerance: 0 }).get('/', { headers: bearer(justNow) })).status).toBe(401);
    expect(
      (await hsClient({ clockTolerance: 60 }).get('/', { headers: bearer(await hs256({ exp: now() - 30 })) }))
        .status,
    ).toBe(200);
  });

  it('a token without exp (valid forever if leaked) is refused by default; requiredClaims decides', async () => {
    const eternal = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secretBytes);
    const res = await hsClient().get('/', { headers: bearer(eternal) });
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toContain('error_description="The token lacks a required claim"');
    expect((await hsClient({ requiredClaims: [] }).get('/', { headers: bearer(eternal) })).status).toBe(200);
    const noSub = await hs256({ sub: undefined });
    expect(
      (await hsClient({ requiredClaims: ['exp', 'sub'] }).get('/', { headers: bearer(noSub) })).status,
    ).toBe(401);
    expect(() => hsClient({ requiredClaims: 'exp' as never })).toThrow(/requiredClaims/);
    expect(() => hsClient({ requiredClaims: [''] })).toThrow(/requiredClaims/);
  });

  it('not yet valid (nbf): refused beyond the tolerance', async () => {
    const future = await hs256({ nbf: now() + 3600 });
    const res = await hsClient().get('/', { headers: bearer(future) });
    expect(res.status).toBe(401);
    expect(res.header('www-authenticate')).toContain('error_description="The token is not valid yet"');
    expect((await hsClient().get('/', { headers: bearer(await hs256({ nbf: now() + 2 })) })).status).toBe(
      200,
    );
  });

  it('wrong or missing iss / aud are refused; lists accept any listed value', async () => {
    const c = hsClient({ issuer: 'https://issuer.example/', audience: ['api', 'admin-api'] });
    const good = await hs256({ iss: 'https://issuer.example/', aud: 'admin-api' });
    expect((await c.get('/', { headers: bearer(good) })).status).toBe(200);
    const badIss = await c.get('/', {
      headers: bearer(await hs256({ iss: 'https://evil.example/', aud: 'api' })),
    });
    expect(badIss.header('www-authenticate')).toContain('unexpected issuer');
    const badAud = await c.get('/', {
      headers: bearer(await hs256({ iss: 'https://issuer.example/', aud: 'other' })),
    });
    expect(badAud.header('www-authenticate')).toContain('unexpected audience');
    const noAud = await c.get('/', { headers: bearer(await hs256({ iss: 'https://issuer.example/' })) });
    expect(noAud.status).toBe(401);
  });

  it('a token in two places is a malformed request (400), whatever the other one is', async () => {
    const token = await hs256();
    const c = hsClient({ queryParam: 'access_token' });
    const both = await c.get('/', { headers: bearer(token), query: { access_token: token } });
    expect(both.status).toBe(400);
    expect(both.header('www-authenticate')).toContain('error="invalid_request"');
    const twoHeaders = await c.get('/', {
      headers: [
        ['authorization', `Bearer ${token}`],
        ['authorization', `Bearer ${token}`],
      ],
    });
    expect(twoHeaders.status).toBe(400);
    const twoQuery = await c.get(`/?access_token=${token}&access_token=${token}`);
    expect(twoQuery.status).toBe(400);
  });

  it('garbage never crashes: 400 or 401, never the app', async () => {
    for (const token of [
      'a.b.c',
      'x',
      '...',
      `${'a'.repeat(100)}.${'b'.repeat(100)}.c`,
      'eyJhbGciOiJIUzI1NiJ9..',
    ]) {
      const res = await hsClient().get('/', { headers: bearer(token) });
      expect([400, 401]).toContain(res.status);
    }
    const huge = await hsClient().get('/', { headers: bearer('a'.repeat(20_000)) });
    expect(huge.status).toBe(400);
  });
});

describe('authBearer: options', () => {
  it('queryParam: off by default (the query token is ignored); when set, used for WebSocket too', async () => {
    const token = await hs256();
    expect((await hsClient().get('/', { query: { access_token: token } })).status).toBe(401);
    const c = hsClient({ queryParam: 'access_token' });
    expect((await c.get('/', { query: { access_token: token } })).status).toBe(200);
    expect((await c.get('/', { query: { access_token: '' } })).status).toBe(400);
    expect((await c.websocket('/', { query: { access_token: token } })).accepted).toBe(true);
  });

  it('paths: only those prefixes (whole segments) are protected', async () => {
    const c = hsClient({ paths: ['/api'] });
    expect((await c.get('/public')).status).toBe(200);
    expect((await c.get('/apix')).status).toBe(200);
    expect((await c.get('/api')).status).toBe(401);
    expect((await c.get('/api/users')).status).toBe(401);
  });

  it('credentialsRequired: false lets tokenless requests through, still refuses bad tokens', async () => {
    const c = hsClient({ credentialsRequired: false });
    const anon = await c.get('/');
    expect(anon.status).toBe(200);
    expect(anon.header('x-user')).toBe('-');
    expect((await c.get('/', { headers: bearer(await hs256()) })).header('x-user')).toBe('alice|');
    expect((await c.get('/', { headers: bearer('x.y.z') })).status).toBe(401);
  });

  it('validate: your own check gets the token and scope; falsy refuses; claims feed AUTH and scopes', async () => {
    const calls: string[] = [];
    const c = client({
      validate: async (token, scope) => {
        calls.push(`${token}@${scope.path}`);
        return token === 'opaque-good' ? { sub: 'svc', scope: 'jobs' } : undefined;
      },
      requiredScopes: ['jobs'],
    });
    expect((await c.get('/x', { headers: bearer('opaque-good') })).header('x-user')).toBe('svc|jobs');
    const bad = await c.get('/x', { headers: bearer('opaque-bad') });
    expect(bad.status).toBe(401);
    expect(bad.header('www-authenticate')).toContain('error_description="The token is invalid"');
    expect(calls).toEqual(['opaque-good@/x', 'opaque-bad@/x']);
    // Not called without a well-formed token.
    await c.get('/x', { headers: { authorization: 'Bearer a b' } });
    expect(calls).toHaveLength(2);
  });

  it('validate that throws: the error reaches the server (500), never a success', async () => {
    const boom = new Error('db down');
    const c = client({
      validate: () => {
        throw boom;
      },
    });
    await expect(c.get('/', { headers: bearer('t') })).rejects.toBe(boom);
  });

  it('refuses unknown options and unsafe configurations when called', () => {
    expect(() => authBearer({ algorithm: ['HS256'] } as never)).toThrow(/unknown option 'algorithm'/);
    expect(() => authBearer({ secret: SECRET } as never)).toThrow(/algorithms/);
    expect(() => authBearer({ algorithms: [], secret: SECRET })).toThrow(/algorithms/);
    expect(() => authBearer({ algorithms: ['HS256'] })).toThrow(/exactly one of/);
    expect(() => authBearer({ algorithms: ['HS256'], secret: SECRET, key: rsa.publicKey })).toThrow(
      /exactly one of/,
    );
    expect(() => authBearer({ algorithms: ['HS256'], secret: 'short' })).toThrow(/at least 32 bytes/);
    expect(() => authBearer({ algorithms: ['HS512'], secret: SECRET })).toThrow(/at least 64 bytes/);
    expect(() => authBearer({ validate: () => undefined, secret: SECRET })).toThrow(/either validate or JWT/);
    expect(() => authBearer({ algorithms: ['RS256'], jwksUrl: 'http://keys.example/jwks' })).toThrow(/https/);
    expect(() => authBearer({ algorithms: ['RS256'], jwksUrl: 'not a url' })).toThrow(/absolute URL/);
    expect(() => authBearer({ algorithms: ['RS256'], key: 'not a pem' })).toThrow(/public key/);
    expect(() => hsClient({ clockTolerance: -1 })).toThrow(/clockTolerance/);
    expect(() => hsClient({ issuer: '' })).toThrow(/issuer/);
    expect(() => hsClient({ audience: [] })).toThrow(/audience/);
    expect(() => hsClient({ requiredScopes: ['a b'] })).toThrow(/without spaces/);
    expect(() => hsClient({ requiredScopes: ['a"b'] })).toThrow(/RFC 6750/);
    expect(() => hsClient({ queryParam: 'a b' })).toThrow(/queryParam/);
    expect(() => hsClient({ paths: ['api'] })).toThrow(/paths/);
    expect(() => hsClient({ credentialsRequired: 'no' as never })).toThrow(/credentialsRequired/);
  });

  it('passes lifespan through with the very same scope, receive and send; names its functions', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    const mw = authBearer({ algorithms: ['HS256'], secret: SECRET });
    await mw(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
    expect(mw.name).toBe('authBearer');
    expect(mw(inner).name).toBe('authBearer');
  });
});

describe('authBearer: jwksUrl (a real key server)', () => {
  let server: Server;
  let url = '';
  let up = true;
  beforeAll(async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_req, res) => {
      if (!up) {
        res.socket?.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches the key set (loopback http allowed) and verifies by kid', async () => {
    const c = client({ algorithms: ['RS256'], jwksUrl: url });
    expect((await c.get('/', { headers: bearer(await rs256({}, rsa.privateKey, 'k1')) })).status).toBe(200);
  });

  it('an unreachable key server is a 503 (the token may be fine), not a 401', async () => {
    up = false;
    try {
      const c = client({ algorithms: ['RS256'], jwksUrl: url });
      const res = await c.get('/', {
        headers: bearer(await rs256({}, rsa.privateKey, 'k1')),
        timeout: 10_000,
      });
      expect(res.status).toBe(503);
      expect(res.header('retry-after')).toBe('5');
    } finally {
      up = true;
    }
  });
});

describeMiddlewareChecks(
  'authBearer: the shared middleware checks of @pagi/test',
  authBearer({ validate: () => ({ sub: 'x' }) }),
  { handles: ['http', 'websocket', 'sse'], request: { headers: { authorization: 'Bearer t' } } },
);
