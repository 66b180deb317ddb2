import type { App, Scope } from '@pagi/spec';
import { session } from '@pagi/middleware-session';
import { compose, SESSION } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it, vi } from 'vitest';
import { CSRF, type CsrfOptions, csrf } from '../src/index.js';
import { MASKED_LENGTH, maskToken, unmaskToken } from '../src/mask.js';
import { mintToken } from '../src/token.js';

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

const KEY = 'k'.repeat(32);
const OWN = 'http://testserver';

/**
 * GET /token → the token; /login regenerates the session and sets a user; anything else echoes
 * the request body it read (so a test sees the body reached the app intact).
 */
const inner: App = async (scope, receive, send) => {
  if (scope.type === 'http') {
    let body = '';
    for (;;) {
      const event = await receive();
      if (event.type !== 'http.request') break;
      body += Buffer.from(event.body ?? new Uint8Array()).toString('latin1');
      if (!event.more) break;
    }
    const s = SESSION.get(scope);
    if (scope.path === '/login') {
      s?.regenerate();
      s?.set('user', new URLSearchParams(scope.query_string).get('u') ?? 'alice');
    }
    const out =
      scope.path.endsWith('/token') || scope.path === '/login' ? CSRF.require(scope).token() : `ok ${body}`;
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: out });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200, headers: [] });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
  }
};

const plain = (options: Partial<CsrfOptions> = {}) => new TestClient(csrf({ keys: KEY, ...options })(inner));
const withSession = (options: Partial<CsrfOptions> = {}) =>
  new TestClient(compose(session(), csrf({ keys: KEY, ...options }))(inner));
const MASKED = /^[\w-]{133}[AQgw]$/;
const RAW = /^[\w-]{24}\.[\w-]{43}$/;
/** A client with its token cookie, and the (masked) token. */
async function primed(client: TestClient, path = '/token'): Promise<string> {
  const res = await client.get(path);
  expect(res.status).toBe(200);
  return res.text;
}
const post = (client: TestClient, token: string | undefined, headers: Record<string, string> = {}) =>
  client.post('/submit', {
    headers: { ...(token === undefined ? {} : { 'x-csrf-token': token }), ...headers },
    body: 'data',
  });

describe('csrf: double-submit tokens', () => {
  it('a safe request gets a token cookie (HttpOnly, SameSite=Lax, Path=/); the jar sends it back', async () => {
    const client = plain();
    const res = await client.get('/token');
    // The page gets the masked token; the cookie holds the unmasked one.
    expect(res.text).toMatch(MASKED);
    const cookie = unmaskToken(res.text) as string;
    expect(cookie).toMatch(RAW);
    expect(res.header('set-cookie')).toBe(`pagi_csrf=${cookie}; Path=/; HttpOnly; SameSite=Lax`);
    expect(client.cookies.get('pagi_csrf')).toBe(cookie);
    // Valid cookie: not re-issued, same token under a new mask.
    const again = await client.get('/token');
    expect(unmaskToken(again.text)).toBe(cookie);
    expect(again.header('set-cookie')).toBeUndefined();
  });

  it('an unsafe request with the token in the header reaches the app, body intact', async () => {
    const client = plain();
    const token = await primed(client);
    const res = await post(client, token);
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok data');
  });

  it('an unsafe request without a token, or without the cookie, is refused with 403; the app never runs', async () => {
    const client = plain();
    const token = await primed(client);
    expect((await post(client, undefined)).status).toBe(403);
    const noCookie = plain();
    const res = await post(noCookie, token);
    expect(res.status).toBe(403);
    expect(res.text).toBe('Forbidden: CSRF check failed');
  });

  it('Secure on https; cookie options', async () => {
    const https = new TestClient(csrf({ keys: KEY })(inner), { scheme: 'https' });
    expect((await https.get('/token')).header('set-cookie')).toMatch(/; Secure; SameSite=Lax$/);
    const custom = plain({
      cookie: {
        name: 'xsrf',
        path: '/app',
        domain: 'testserver',
        sameSite: 'strict',
        secure: true,
        httpOnly: false,
      },
    });
    expect((await custom.get('/app/token')).header('set-cookie')).toMatch(
      /^xsrf=[\w.-]+; Domain=testserver; Path=\/app; Secure; SameSite=Strict$/,
    );
  });

  it('header option; safeMethods option', async () => {
    const client = plain({ header: 'X-XSRF', safeMethods: ['GET'] });
    const token = await primed(client);
    expect((await client.post('/s', { headers: { 'x-xsrf': token } })).status).toBe(200);
    expect((await client.post('/s', { headers: { 'x-csrf-token': token } })).status).toBe(403);
    expect((await client.options('/s')).status).toBe(403); // OPTIONS no longer safe
    const all = plain({ safeMethods: ['GET', 'POST'] });
    expect((await all.post('/s')).status).toBe(200);
  });

  it('key rotation: tokens signed with an older key still verify', async () => {
    const old = 'o'.repeat(32);
    const client = new TestClient(csrf({ keys: [KEY, old] })(inner));
    const token = mintToken([old], '');
    client.cookies.set('pagi_csrf', token);
    expect((await post(client, maskToken(token))).status).toBe(200);
    const dropped = new TestClient(csrf({ keys: KEY })(inner));
    dropped.cookies.set('pagi_csrf', token);
    expect((await post(dropped, maskToken(token))).status).toBe(403);
  });
});

describe('csrf: masked tokens (BREACH)', () => {
  it('attack (BREACH): two responses never carry the same token string; both verify', async () => {
    const client = plain();
    const first = await primed(client);
    const second = await primed(client);
    // Before masking, token() returned the cookie itself: the same bytes in every response,
    // recoverable from compressed sizes when the page also reflects attacker input.
    expect(second).not.toBe(first);
    expect(unmaskToken(first)).toBe(client.cookies.get('pagi_csrf'));
    expect(unmaskToken(second)).toBe(client.cookies.get('pagi_csrf'));
    expect((await post(client, first)).status).toBe(200);
    expect((await post(client, second)).status).toBe(200);
  });

  it('every token() call in one response is masked afresh; the cookie is set once, unmasked', async () => {
    const app = csrf({ keys: KEY })(async (scope, _receive, send) => {
      const context = CSRF.require(scope);
      const tokens = [context.token(), context.token(), context.token()];
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: tokens.join(' ') });
    });
    const client = new TestClient(app);
    const res = await client.get('/');
    const tokens = res.text.split(' ');
    expect(new Set(tokens).size).toBe(3);
    const cookie = client.cookies.get('pagi_csrf');
    for (const token of tokens) {
      expect(token).toMatch(MASKED);
      expect(unmaskToken(token)).toBe(cookie);
    }
    expect(res.headerValues('set-cookie')).toHaveLength(1);
  });

  it('the raw (unmasked) cookie value is accepted as the token, as Django accepts the unmasked secret', async () => {
    // For scripts that copy a non-HttpOnly cookie into the header. It is never in a page body,
    // so BREACH cannot read it; anyone holding it could mask it themselves.
    const client = plain({ cookie: { httpOnly: false } });
    await primed(client);
    const raw = client.cookies.get('pagi_csrf') as string;
    expect(raw).toMatch(RAW);
    expect((await post(client, raw)).status).toBe(200);
    expect((await client.post('/f', { form: { _csrf: raw } })).status).toBe(200);
  });

  it('attack: a tampered pad or masked part, or a wrong length or alphabet, is refused with 403', async () => {
    const client = plain();
    const good = await primed(client);
    const flip = (token: string, at: number) =>
      `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    const refused = [
      flip(good, 0), // pad of the nonce
      flip(good, 40), // pad of the signature
      flip(good, 70), // masked nonce
      flip(good, 120), // masked signature
      good.slice(0, -1), // one character short
      `${good}A`, // one character long
      `${good.slice(0, -1)}B`, // non-canonical last character
      `${good.slice(0, -2)}+A`, // base64, not base64url
      `${good.slice(0, -2)}=A`,
      'A'.repeat(MASKED_LENGTH), // well-formed, all-zero: the zero token
      `${good} `,
      '',
    ];
    for (const token of refused) {
      expect(token === good).toBe(false);
      expect((await post(client, token)).status, token).toBe(403);
    }
    // A form field: the same refusal, never a crash.
    expect((await client.post('/f', { form: { _csrf: flip(good, 3) } })).status).toBe(403);
    expect((await post(client, good)).status).toBe(200);
  });
});

describe('csrf: form field', () => {
  it('reads _csrf from an urlencoded body and re-feeds the whole body to the app', async () => {
    const client = plain();
    const token = await primed(client);
    const res = await client.post('/f', { form: { a: '1', _csrf: token, b: 'x'.repeat(1000) } });
    expect(res.status).toBe(200);
    expect(res.text).toBe(`ok a=1&_csrf=${encodeURIComponent(token)}&b=${'x'.repeat(1000)}`);
  });

  it('reads _csrf from a multipart body (with a file) and re-feeds it, chunk by chunk', async () => {
    const client = plain();
    const token = await primed(client);
    const res = await client.post('/f', {
      data: { _csrf: token },
      files: { upload: { filename: 'a.txt', content: 'file content' } },
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('file content');
    expect(res.text).toContain(token);
  });

  it('a streamed body: the token found in the first chunk, the rest read by the app', async () => {
    const client = plain();
    const token = await primed(client);
    async function* chunks() {
      yield `_csrf=${token}&a=`;
      yield 'b'.repeat(10);
      yield '&c=d';
    }
    const res = await client.post('/f', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: chunks(),
    });
    expect(res.text).toBe(`ok _csrf=${token}&a=${'b'.repeat(10)}&c=d`);
  });

  it('field option; field: false never reads the body', async () => {
    const client = plain({ field: 'token' });
    const token = await primed(client);
    expect((await client.post('/f', { form: { token } })).status).toBe(200);
    expect((await client.post('/f', { form: { _csrf: token } })).status).toBe(403);
    const off = plain({ field: false });
    const t2 = await primed(off);
    expect((await off.post('/f', { form: { _csrf: t2 } })).status).toBe(403);
  });

  it('maxBodyRead: a form whose field is not in the first N bytes gets 413; other bodies are not read', async () => {
    // A masked token is 134 characters: `_csrf=<token>&` must fit in the first maxBodyRead bytes.
    const client = plain({ maxBodyRead: 200 });
    const token = await primed(client);
    const late = await client.post('/f', { form: { a: 'x'.repeat(300), _csrf: token } });
    expect(late.status).toBe(413);
    expect(late.text).toMatch(/not found in the first 200 bytes/);
    expect((await client.post('/f', { form: { _csrf: token, a: 'x'.repeat(300) } })).status).toBe(200);
    // JSON is never parsed for the token: header only.
    expect((await client.post('/f', { json: { _csrf: token } })).status).toBe(403);
  });

  it('a malformed multipart body is refused, never a crash', async () => {
    const client = plain();
    await primed(client);
    const res = await client.post('/f', {
      headers: { 'content-type': 'multipart/form-data' },
      body: 'garbage',
    });
    expect(res.status).toBe(403);
  });
});

describe('csrf: Origin and Referer (checkOrigin, requireOrigin, origins)', () => {
  it('same origin passes; a cross-site Origin is refused even with a valid token', async () => {
    const client = plain();
    const token = await primed(client);
    expect((await post(client, token, { origin: OWN })).status).toBe(200);
    expect((await post(client, token, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(client, token, { origin: 'http://testserver.evil.example' })).status).toBe(403);
    expect((await post(client, token, { origin: 'https://testserver' })).status).toBe(403); // scheme counts
  });

  it('attack: a `null` Origin is always refused', async () => {
    const client = plain();
    const token = await primed(client);
    expect((await post(client, token, { origin: 'null' })).status).toBe(403);
  });

  it('attack: missing Origin: the token decides by default; requireOrigin refuses it', async () => {
    const client = plain();
    const token = await primed(client);
    expect((await post(client, undefined)).status).toBe(403);
    expect((await post(client, token)).status).toBe(200);
    const strict = plain({ requireOrigin: true });
    const t2 = await primed(strict);
    expect((await post(strict, t2)).status).toBe(403);
    expect((await post(strict, t2, { origin: OWN })).status).toBe(200);
  });

  it('Referer is used when there is no Origin', async () => {
    const client = plain({ requireOrigin: true });
    const token = await primed(client);
    expect((await post(client, token, { referer: `${OWN}/form` })).status).toBe(200);
    expect((await post(client, token, { referer: 'https://evil.example/' })).status).toBe(403);
    expect((await post(client, token, { referer: 'not a url' })).status).toBe(403);
  });

  it('origins trusts more origins, exactly; checkOrigin: false skips the check', async () => {
    const client = plain({ origins: ['https://app.example.com'] });
    const token = await primed(client);
    expect((await post(client, token, { origin: 'https://app.example.com' })).status).toBe(200);
    expect((await post(client, token, { origin: 'https://app.example.com.evil.io' })).status).toBe(403);
    const off = plain({ checkOrigin: false });
    const t2 = await primed(off);
    expect((await post(off, t2, { origin: 'https://evil.example' })).status).toBe(200);
  });
});

describe('csrf: bound to the session (attack tests)', () => {
  it('a token from another session is refused', async () => {
    const alice = withSession();
    const mallory = withSession();
    await alice.get('/login?u=alice');
    await mallory.get('/login?u=mallory');
    const aliceToken = await primed(alice);
    const malloryToken = await primed(mallory);
    expect((await post(alice, aliceToken)).status).toBe(200);
    // Mallory plants her own (valid) cookie+token pair in Alice's browser: bound to her session, refused.
    alice.cookies.set('pagi_csrf', mallory.cookies.get('pagi_csrf') as string);
    expect((await post(alice, malloryToken)).status).toBe(403);
    expect((await post(alice, mallory.cookies.get('pagi_csrf'))).status).toBe(403);
  });

  it('a token replayed after regenerate() (login) is refused; the login response issued a new one', async () => {
    const client = withSession();
    await client.get('/login?u=alice');
    const before = await primed(client);
    const beforeCookie = client.cookies.get('pagi_csrf') as string;
    const login = await client.get('/login?u=alice'); // regenerate again: new session ID
    expect(login.header('set-cookie')).toContain('pagi_csrf=');
    const after = client.cookies.get('pagi_csrf') as string;
    expect(after).not.toBe(beforeCookie);
    expect(unmaskToken(login.text)).toBe(after);
    // The old token, with the old cookie, in the new session:
    const replay = await client.post('/submit', {
      headers: {
        'x-csrf-token': before,
        cookie: `pagi_session=${client.cookies.get('pagi_session')}; pagi_csrf=${beforeCookie}`,
      },
    });
    expect(replay.status).toBe(403);
    expect((await post(client, login.text)).status).toBe(200);
  });

  it('an anonymous token (before login) no longer works after login', async () => {
    const client = withSession();
    const anonymous = await primed(client);
    const anonymousCookie = client.cookies.get('pagi_csrf') as string;
    expect((await post(client, anonymous)).status).toBe(200);
    await client.get('/login');
    const replay = await client.post('/submit', {
      headers: {
        'x-csrf-token': anonymous,
        cookie: `pagi_session=${client.cookies.get('pagi_session')}; pagi_csrf=${anonymousCookie}`,
      },
    });
    expect(replay.status).toBe(403);
  });

  it('forged tokens are refused: wrong key, tampered nonce or signature, garbage', async () => {
    const client = plain();
    await primed(client);
    const good = client.cookies.get('pagi_csrf') as string;
    const forged = mintToken(['f'.repeat(32)], '');
    const tampered = `${good.slice(0, 23)}${good[23] === 'A' ? 'B' : 'A'}${good.slice(24)}`;
    for (const token of [forged, tampered, `${good.slice(0, -1)}x`, 'x', 'a.b', '']) {
      client.cookies.set('pagi_csrf', token);
      expect((await post(client, token)).status, token).toBe(403);
      if (token !== 'x' && token !== 'a.b' && token !== '')
        expect((await post(client, maskToken(token))).status, token).toBe(403);
    }
  });

  it('timing-safe: a right and a wrong token cost the same constant-time comparisons', async () => {
    const client = plain({ keys: [KEY, 'z'.repeat(32)] });
    const good = await primed(client);
    compares.mockClear();
    expect((await post(client, good)).status).toBe(200);
    const right = compares.mock.calls.length;
    compares.mockClear();
    expect((await post(client, `${good.slice(0, -1)}x`)).status).toBe(403);
    const wrong = compares.mock.calls.length;
    compares.mockClear();
    expect((await post(client, maskToken(mintToken(['f'.repeat(32)], '')))).status).toBe(403);
    const forged = compares.mock.calls.length;
    compares.mockClear();
    expect((await post(client, 'short')).status).toBe(403);
    // The check: cookie vs header, then one per key (2), whatever the token. A request that
    // passes then re-verifies the cookie for the response (one per key), after the decision.
    expect(wrong).toBe(3);
    expect(forged).toBe(3);
    expect(compares.mock.calls.length).toBe(3);
    expect(right).toBe(3 + 2);
  });
});

describe('csrf: WebSocket handshakes (cross-site WebSocket hijacking) and SSE', () => {
  it('a cross-site or null Origin is denied with 403; same origin and trusted origins are accepted', async () => {
    const client = new TestClient(csrf({ keys: KEY, origins: ['https://app.example.com'] })(inner));
    const evil = await client.websocket('/ws', { headers: { origin: 'https://evil.example' } });
    expect(evil.accepted).toBe(false);
    expect(evil.denial?.status).toBe(403);
    expect((await client.websocket('/ws', { headers: { origin: 'null' } })).accepted).toBe(false);
    expect((await client.websocket('/ws', { headers: { origin: 'http://testserver' } })).accepted).toBe(true);
    expect((await client.websocket('/ws', { headers: { origin: 'https://app.example.com' } })).accepted).toBe(
      true,
    );
  });

  it('without the denial extension the handshake is refused with websocket.close', async () => {
    const client = new TestClient(csrf({ keys: KEY })(inner), { extensions: {} });
    const ws = await client.websocket('/ws', { headers: { origin: 'https://evil.example' } });
    expect(ws.accepted).toBe(false);
  });

  it('missing Origin (a non-browser client) is accepted unless requireOrigin; websocket: false skips the check', async () => {
    expect((await plain().websocket('/ws')).accepted).toBe(true);
    expect((await plain({ requireOrigin: true }).websocket('/ws')).accepted).toBe(false);
    const off = plain({ websocket: false });
    expect((await off.websocket('/ws', { headers: { origin: 'https://evil.example' } })).accepted).toBe(true);
  });

  it('SSE: GET streams pass; an unsafe-method stream needs origin and token', async () => {
    const client = plain();
    expect((await client.sse('/events')).status).toBe(200);
    const token = await primed(client);
    expect((await client.sse('/events', { method: 'POST' })).status).toBe(403);
    expect((await client.sse('/events', { method: 'POST', headers: { 'x-csrf-token': token } })).status).toBe(
      200,
    );
  });
});

describe('csrf: options', () => {
  it('refuses unknown and bad options at factory time', () => {
    expect(() => csrf({ keys: KEY, secret: 'x' } as never)).toThrow(/unknown option 'secret'/);
    expect(() => csrf({} as never)).toThrow(/keys/);
    expect(() => csrf({ keys: 'short' })).toThrow(/at least 32/);
    expect(() => csrf({ keys: KEY, header: 'a b' })).toThrow(/header/);
    expect(() => csrf({ keys: KEY, field: '' })).toThrow(/field/);
    expect(() => csrf({ keys: KEY, maxBodyRead: 0 })).toThrow(/maxBodyRead/);
    expect(() => csrf({ keys: KEY, safeMethods: 'GET' as never })).toThrow(/safeMethods/);
    expect(() => csrf({ keys: KEY, checkOrigin: 'yes' as never })).toThrow(/checkOrigin/);
    expect(() => csrf({ keys: KEY, origins: ['https://a.com/path'] })).toThrow(/origin/);
    expect(() => csrf({ keys: KEY, origins: ['https://A.com'] })).toThrow(/lowercase/);
    expect(() => csrf({ keys: KEY, origins: ['null'] })).toThrow(/origin/);
    expect(() => csrf({ keys: KEY, cookie: { name: 'a;b' } })).toThrow(/cookie/);
    expect(() => csrf({ keys: KEY, cookie: { sameSite: 'none' } })).toThrow(/secure/);
    expect(() => csrf({ keys: KEY, cookie: { nme: 'x' } as never })).toThrow(/unknown cookie option 'nme'/);
    expect(() => csrf(null as never)).toThrow(/options object/);
  });

  it('passes lifespan through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await csrf({ keys: KEY })(spy)(scope, receive, send);
    expect(seen).toEqual([scope, receive, send]);
  });

  it('names its functions for stack traces', () => {
    expect(csrf({ keys: KEY }).name).toBe('csrf');
    expect(csrf({ keys: KEY })(inner).name).toBe('csrf');
  });
});

describeMiddlewareChecks('csrf: the shared middleware checks of @pagi/test', csrf({ keys: KEY }), {
  handles: ['http', 'sse', 'websocket'],
});
