import { createHmac } from 'node:crypto';
import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  COOKIES,
  type CookieOptions,
  type Cookies,
  cookie,
  serializeSetCookie,
  signValue,
  unsignValue,
} from '../src/index.js';

// Counts the constant-time comparisons (the real function still runs).
const compares = vi.hoisted(() => vi.fn());
vi.mock('@pagi/spec', async (original) => {
  const spec = await original<typeof import('@pagi/spec')>();
  return {
    ...spec,
    timingSafeEqualString: (a: string, b: string) => {
      compares();
      return spec.timingSafeEqualString(a, b);
    },
  };
});

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);

/** Runs `handler` with the request's Cookies, then answers 200 with what it returned as JSON. */
function appWith(handler: (cookies: Cookies) => unknown): App {
  return async (scope, receive, send) => {
    if (scope.type === 'http') {
      const out = handler(COOKIES.require(scope));
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [['content-type', 'application/json']],
      });
      await send({ type: 'http.response.body', body: JSON.stringify(out ?? null), more: true });
      await send({ type: 'http.response.body', body: '' });
    } else if (scope.type === 'sse') {
      handler(COOKIES.require(scope));
      await send({ type: 'sse.start', status: 200, headers: [] });
    } else if (scope.type === 'websocket') {
      await receive();
      const out = handler(COOKIES.require(scope));
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.send', text: JSON.stringify(out ?? null) });
    }
  };
}
const client = (handler: (c: Cookies) => unknown, options: CookieOptions = {}, https = false) =>
  new TestClient(cookie(options)(appWith(handler)), https ? { scheme: 'https' } : {});

describe('cookie: reading', () => {
  it('parses the Cookie header, percent-decoded, first of repeated names wins', async () => {
    const c = client((cookies) => ({ a: cookies.get('a'), euro: cookies.get('euro'), all: cookies.all() }));
    const res = await c.get('/', { headers: { cookie: 'a=1; euro=%E2%82%AC; a=2; bad=%E0%A4%A' } });
    expect(res.json()).toEqual({ a: '1', euro: '€', all: { a: '1', euro: '€', bad: '%E0%A4%A' } });
  });

  it('joins several Cookie headers (RFC 9113 §8.2.3)', async () => {
    const c = client((cookies) => cookies.all());
    const res = await c.get('/', {
      headers: [
        ['cookie', 'a=1'],
        ['cookie', 'b=2'],
      ],
    });
    expect(res.json()).toEqual({ a: '1', b: '2' });
  });

  it('__proto__ and constructor are plain cookie names, never prototype pollution', async () => {
    const c = client((cookies) => ({ p: cookies.get('__proto__'), x: cookies.get('constructor') ?? null }));
    const res = await c.get('/', { headers: { cookie: '__proto__=polluted' } });
    expect(res.json()).toEqual({ p: 'polluted', x: null });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads cookies the test client’s jar stored from an earlier response', async () => {
    const c = client((cookies) => {
      cookies.set('visit', String(Number(cookies.get('visit') ?? 0) + 1));
      return cookies.get('visit') ?? null;
    });
    expect((await c.get('/')).json()).toBe(null);
    expect(c.cookies.get('visit')).toBe('1');
    expect((await c.get('/')).json()).toBe('1');
    expect(c.cookies.get('visit')).toBe('2');
  });
});

describe('cookie: size limits (maxHeaderSize, maxCookies)', () => {
  it('431 for a Cookie header over maxHeaderSize (default 8192), the app is not called', async () => {
    let called = false;
    const c = client(() => {
      called = true;
    });
    expect((await c.get('/', { headers: { cookie: `a=${'x'.repeat(8190)}` } })).status).toBe(200);
    const res = await c.get('/', { headers: { cookie: `a=${'x'.repeat(8191)}` } });
    expect(res.status).toBe(431);
    expect(res.text).toBe('Cookie header too large');
    called = false;
    await client(() => {}, { maxHeaderSize: 10 }).get('/', { headers: { cookie: 'a=12345678' } });
    expect(
      (
        await client(
          () => {
            called = true;
          },
          { maxHeaderSize: 10 },
        ).get('/', { headers: { cookie: 'a=123456789' } })
      ).status,
    ).toBe(431);
    expect(called).toBe(false);
  });

  it('431 for more than maxCookies pairs (default 100)', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `c${i}=1`).join('; ');
    expect((await client(() => {}).get('/', { headers: { cookie: many(100) } })).status).toBe(200);
    expect((await client(() => {}).get('/', { headers: { cookie: many(101) } })).status).toBe(431);
    expect(
      (await client(() => {}, { maxCookies: 2 }).get('/', { headers: { cookie: many(3) } })).status,
    ).toBe(431);
  });

  it('the limit applies to SSE and WebSocket handshakes too', async () => {
    const c = client(() => {}, { maxCookies: 1 });
    const sse = await c.sse('/', { headers: { cookie: 'a=1; b=2' } });
    expect(sse.status).toBe(431);
    const ws = await c.websocket('/', { headers: { cookie: 'a=1; b=2' } });
    expect(ws.accepted).toBe(false);
  });
});

describe('cookie: setting', () => {
  it('defaults: Path=/, HttpOnly, SameSite=Lax, no Secure on http', async () => {
    const res = await client((c) => c.set('a', 'v')).get('/');
    expect(res.headerValues('set-cookie')).toEqual(['a=v; Path=/; HttpOnly; SameSite=Lax']);
  });

  it('Secure by default when the request came over https', async () => {
    const res = await client((c) => c.set('a', 'v'), {}, true).get('/');
    expect(res.header('set-cookie')).toBe('a=v; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('defaults option and per-call options (every attribute)', async () => {
    const res = await client(
      (c) =>
        c.set('a', 'v w;x', {
          path: '/p',
          domain: 'example.com',
          maxAge: 60,
          expires: new Date(Date.UTC(2030, 0, 1)),
          secure: true,
          sameSite: 'none',
          partitioned: true,
          priority: 'high',
        }),
      { defaults: { httpOnly: false } },
    ).get('/');
    expect(res.header('set-cookie')).toBe(
      'a=v%20w%3Bx; Max-Age=60; Domain=example.com; Path=/p; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Secure; Partitioned; Priority=High; SameSite=None',
    );
    const strict = await client((c) => c.set('a', 'v', { sameSite: false }), {
      defaults: { sameSite: 'strict' },
    }).get('/');
    expect(strict.header('set-cookie')).toBe('a=v; Path=/; HttpOnly');
    const d = await client((c) => c.set('a', 'v'), { defaults: { sameSite: 'strict' } }).get('/');
    expect(d.header('set-cookie')).toBe('a=v; Path=/; HttpOnly; SameSite=Strict');
  });

  it('delete() expires the cookie and the jar drops it', async () => {
    const c = client((cookies) => cookies.delete('a', { path: '/' }));
    c.cookies.set('a', '1');
    const res = await c.get('/');
    expect(res.header('set-cookie')).toBe(
      'a=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax'.replace(
        '; Path=/; Expires',
        '; Max-Age=0; Path=/; Expires',
      ),
    );
    expect(c.cookies.get('a')).toBeUndefined();
  });

  it('sets cookies on SSE streams and WebSocket accepts too', async () => {
    const c = client((cookies) => cookies.set('s', '1'));
    const sse = await c.sse('/');
    expect(sse.headerValues('set-cookie')).toEqual(['s=1; Path=/; HttpOnly; SameSite=Lax']);
    c.cookies.clear();
    const ws = await c.websocket('/');
    await ws.receiveText();
    expect(c.cookies.get('s')).toBe('1');
  });

  it('set() after the response started throws PAGI_ERR_STATE', async () => {
    let error: unknown;
    const app = cookie()(async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [] });
      try {
        COOKIES.require(scope).set('late', '1');
      } catch (e) {
        error = e;
      }
      await send({ type: 'http.response.body', body: '' });
    });
    await new TestClient(app).get('/');
    expect(error).toMatchObject({ code: 'PAGI_ERR_STATE' });
  });
});

describe('cookie: attack tests (header and attribute injection)', () => {
  const refused = async (fn: (c: Cookies) => void) => {
    let error: unknown;
    await client((c) => {
      try {
        fn(c);
      } catch (e) {
        error = e;
      }
    }).get('/');
    return error;
  };

  it('a value with ; CR LF is percent-encoded, never a new attribute or header', async () => {
    const res = await client((c) => c.set('a', 'x; Domain=evil.com\r\nSet-Cookie: admin=1')).get('/');
    expect(res.headerValues('set-cookie')).toHaveLength(1);
    expect(res.header('set-cookie')).toMatch(
      /^a=x%3B%20Domain%3Devil.com%0D%0ASet-Cookie%3A%20admin%3D1; Path=\//,
    );
  });

  it('refuses names, paths and domains that would inject (PAGI_ERR_VALIDATION)', async () => {
    expect(await refused((c) => c.set('a=b', 'v'))).toMatchObject({ code: 'PAGI_ERR_VALIDATION' });
    expect(await refused((c) => c.set('a;b', 'v'))).toMatchObject({ code: 'PAGI_ERR_VALIDATION' });
    expect(await refused((c) => c.set('a\r\nb', 'v'))).toMatchObject({ code: 'PAGI_ERR_VALIDATION' });
    expect(await refused((c) => c.set('a', 'v', { path: '/; Domain=evil' }))).toMatchObject({
      code: 'PAGI_ERR_VALIDATION',
    });
    expect(await refused((c) => c.set('a', 'v', { domain: 'evil.com\r\nX: y' }))).toMatchObject({
      code: 'PAGI_ERR_VALIDATION',
    });
    expect(await refused((c) => c.set('a', 1 as never))).toMatchObject({ code: 'PAGI_ERR_VALIDATION' });
  });

  it('refuses inconsistent attributes: SameSite=None without Secure, __Secure-/__Host- rules, bad maxAge', async () => {
    expect(await refused((c) => c.set('a', 'v', { sameSite: 'none' }))).toMatchObject({
      message: /requires secure/,
    });
    expect(await refused((c) => c.set('__Secure-a', 'v'))).toMatchObject({ message: /__Secure-/ });
    expect(await refused((c) => c.set('__Host-a', 'v', { secure: true, path: '/x' }))).toMatchObject({
      message: /__Host-/,
    });
    expect(await refused((c) => c.set('__Host-a', 'v', { secure: true, domain: 'a.com' }))).toMatchObject({
      message: /__Host-/,
    });
    expect(await refused((c) => c.set('a', 'v', { maxAge: 1.5 }))).toMatchObject({ message: /maxAge/ });
    expect(await refused((c) => c.set('a', 'v', { sameSite: 'loose' as never }))).toMatchObject({
      message: /sameSite/,
    });
    expect(await refused((c) => c.set('a', 'v', { expires: new Date(Number.NaN) }))).toMatchObject({
      message: /expires/,
    });
    expect(await refused((c) => c.set('a', 'v', { sneaky: 1 } as never))).toMatchObject({
      message: /unknown cookie option 'sneaky'/,
    });
    expect(await refused((c) => c.set('__Host-a', 'v', { secure: true }))).toBeUndefined();
  });

  it('applies the __Secure-/__Host- rules to any case of the prefix, as browsers do (RFC 6265bis §5.7)', async () => {
    expect(await refused((c) => c.set('__secure-a', 'v'))).toMatchObject({ message: /__Secure-/ });
    expect(await refused((c) => c.set('__HOST-a', 'v', { secure: true, path: '/x' }))).toMatchObject({
      message: /__Host-/,
    });
    expect(await refused((c) => c.set('__host-a', 'v'))).toMatchObject({ message: /__Host-/ });
    expect(await refused((c) => c.set('__host-a', 'v', { secure: true }))).toBeUndefined();
  });

  it('property: every Set-Cookie is one header line whose value round-trips', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const header = serializeSetCookie('n', value, {});
        expect(header).not.toMatch(/[\r\n\0]/);
        const raw = header.slice(2, header.indexOf(';'));
        expect(raw).not.toContain(';');
        expect(decodeURIComponent(raw)).toBe(value);
      }),
    );
  });
});

describe('cookie: signed cookies (keys)', () => {
  it('setSigned/getSigned round-trip through the jar', async () => {
    const c = client(
      (cookies) => {
        const seen = cookies.getSigned('uid') ?? null;
        cookies.setSigned('uid', 'u-42');
        return seen;
      },
      { keys: KEY_A },
    );
    expect((await c.get('/')).json()).toBe(null);
    expect(c.cookies.get('uid')).toMatch(/^u-42\.[A-Za-z0-9_-]{43}$/);
    expect((await c.get('/')).json()).toBe('u-42');
  });

  it('the signature is HMAC-SHA256 over name=value with the first key', () => {
    const mac = createHmac('sha256', KEY_A).update('uid=u-42').digest('base64url');
    expect(signValue([KEY_A, KEY_B], 'uid', 'u-42')).toBe(`u-42.${mac}`);
  });

  it('key rotation: signs with the first key, verifies against every key', async () => {
    const old = signValue([KEY_B], 'uid', 'old-user');
    const c = client((cookies) => cookies.getSigned('uid') ?? null, { keys: [KEY_A, KEY_B] });
    c.cookies.set('uid', old);
    expect((await c.get('/')).json()).toBe('old-user');
    // Once KEY_B is dropped, its cookies no longer verify.
    const dropped = client((cookies) => cookies.getSigned('uid') ?? null, { keys: [KEY_A] });
    dropped.cookies.set('uid', old);
    expect((await dropped.get('/')).json()).toBe(null);
  });

  it('attack: forged, tampered, truncated, unsigned and moved-between-names values are rejected', async () => {
    const good = signValue([KEY_A], 'uid', 'alice');
    const forged = signValue(['f'.repeat(32)], 'uid', 'admin');
    const tampered = `admin${good.slice(5)}`;
    const moved = signValue([KEY_A], 'role', 'admin'); // a valid signature, for another cookie
    for (const value of [forged, tampered, good.slice(0, -1), 'alice', `alice.`, '.', moved, `${good}x`]) {
      const c = client((cookies) => cookies.getSigned('uid') ?? null, { keys: KEY_A });
      c.cookies.set('uid', value);
      expect((await c.get('/')).json(), value).toBe(null);
    }
    expect(unsignValue([KEY_A], 'uid', good)).toBe('alice');
  });

  it('constant-time path: one timingSafeEqualString per key, even after a match (no early exit)', () => {
    const signed = signValue([KEY_A], 'uid', 'x');
    compares.mockClear();
    expect(unsignValue([KEY_A, KEY_B, 'c'.repeat(32)], 'uid', signed)).toBe('x');
    expect(compares).toHaveBeenCalledTimes(3);
    compares.mockClear();
    expect(unsignValue([KEY_A, KEY_B, 'c'.repeat(32)], 'uid', 'x.wrong')).toBeUndefined();
    expect(compares).toHaveBeenCalledTimes(3);
  });

  it('getSigned/setSigned without keys throw PAGI_ERR_VALIDATION', async () => {
    let error: unknown;
    await client((c) => {
      try {
        c.getSigned('a');
      } catch (e) {
        error = e;
      }
    }).get('/', { headers: { cookie: 'a=1' } });
    expect(error).toMatchObject({ code: 'PAGI_ERR_VALIDATION', message: /keys/ });
  });
});

describe('cookie: options', () => {
  it('refuses unknown options, weak keys and bad limits at factory time', () => {
    expect(() => cookie({ secret: 'x' } as never)).toThrow(/unknown option 'secret'/);
    expect(() => cookie({ keys: 'short' })).toThrow(/at least 32 characters/);
    expect(() => cookie({ keys: [] })).toThrow(/non-empty array/);
    expect(() => cookie({ maxHeaderSize: 0 })).toThrow(/maxHeaderSize/);
    expect(() => cookie({ maxCookies: 1.5 })).toThrow(/maxCookies/);
    expect(() => cookie({ defaults: { sameSite: 'x' as never } })).toThrow(/sameSite/);
    expect(() => cookie(null as never)).toThrow(/options object/);
  });

  it('passes lifespan through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await cookie()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[2]).toBe(send);
  });

  it('names its functions for stack traces', () => {
    const mw = cookie();
    expect(mw.name).toBe('cookie');
    expect(mw(appWith(() => {})).name).toBe('cookie');
  });
});

describeMiddlewareChecks('cookie: the shared middleware checks of @pagi/test', cookie(), {
  handles: ['http', 'sse', 'websocket'],
});
