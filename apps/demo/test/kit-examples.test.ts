/**
 * The three middleware of docs/writing-middleware.md (CORS, gzip, cookie session), driven through
 * the test client. Backpressure is checked with a gate layer between the client and the
 * middleware: it holds every `send` until released, so a middleware that fired a second send
 * before the first settled would show `inFlight > 1`.
 */
import { gunzipSync } from 'node:zlib';
import type { App, Middleware, SendEvent } from '@pagi/spec';
import { compose, defineMiddleware, getHeader } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { cors } from '../middleware/cors.js';
import { gzip } from '../middleware/gzip.js';
import { SESSION, session } from '../middleware/session.js';

const text = (body: string, type = 'text/plain'): App =>
  async function textApp(scope, _receive, send) {
    if (scope.type === 'sse') {
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: body });
      return;
    }
    if (scope.type !== 'http') return;
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [
        ['content-type', type],
        ['content-length', String(body.length)],
      ],
    });
    await send({ type: 'http.response.body', body });
  };

/** Slow transport: each send waits a turn of the event loop; records the most sends in flight. */
function gate(stats: { inFlight: number; max: number; sends: number }): Middleware {
  return defineMiddleware('gate', {
    http: (scope, receive, send, app) =>
      app(scope, receive, async (event: SendEvent<'http'>) => {
        stats.sends++;
        stats.max = Math.max(stats.max, ++stats.inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        stats.inFlight--;
        return send(event);
      }),
  });
}

describe('cors', () => {
  const app = cors({ origin: ['https://app.example'], credentials: true })(text('hi'));
  const client = new TestClient(app);

  it('answers a preflight itself, with the allowed methods and asked headers', async () => {
    const res = await client.options('/api', {
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'x-token',
      },
    });
    expect(res.status).toBe(204);
    expect(res.header('access-control-allow-origin')).toBe('https://app.example');
    expect(res.header('access-control-allow-credentials')).toBe('true');
    expect(res.header('access-control-allow-headers')).toBe('x-token');
    expect(res.header('access-control-allow-methods')).toContain('PUT');
    expect(res.header('vary')).toBe('Origin');
  });

  it('adds the allow headers to a response for an allowed origin (merging Vary), none for another', async () => {
    const varying = cors({ origin: ['https://app.example'] })(async (_scope, _r, send) => {
      await send({ type: 'http.response.start', status: 200, headers: [['vary', 'Accept-Encoding']] });
      await send({ type: 'http.response.body', body: 'x' });
    });
    const ok = await new TestClient(varying).get('/', { headers: { origin: 'https://app.example' } });
    expect(ok.header('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headerValues('vary')).toEqual(['Accept-Encoding, Origin']);
    const other = await client.get('/', { headers: { origin: 'https://evil.example' } });
    expect(other.header('access-control-allow-origin')).toBeUndefined();
    expect(other.text).toBe('hi');
  });

  it('keeps backpressure: one send in flight, none added', async () => {
    const stats = { inFlight: 0, max: 0, sends: 0 };
    await new TestClient(compose(gate(stats), cors())(text('hi'))).get('/', {
      headers: { origin: 'https://a.example' },
    });
    expect(stats).toMatchObject({ max: 1, sends: 2 });
  });

  it('covers SSE responses, refuses credentials with "*" when built, and passes websocket through', async () => {
    const sse = await client.sse('/events', { headers: { origin: 'https://app.example' } });
    expect(sse.header('access-control-allow-origin')).toBe('https://app.example');
    expect(() => cors({ credentials: true })).toThrow(/credentials/);
    const echo: App = async (scope, _r, send) => {
      if (scope.type === 'websocket') await send({ type: 'websocket.accept' });
    };
    const ws = await new TestClient(cors()(echo)).websocket('/ws');
    expect(ws.acceptHeaders ?? []).toEqual([]);
  });
});

describe('gzip', () => {
  const big = 'hello gzip '.repeat(5000);
  const streaming: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    await send({
      type: 'http.response.start',
      status: 201,
      headers: [
        ['content-type', 'text/plain'],
        ['content-length', String(big.length * 3)],
      ],
    });
    for (let i = 0; i < 3; i++) await send({ type: 'http.response.body', body: big, more: i < 2 });
  };

  it('compresses a streamed body chunk by chunk, keeping the status, with one send in flight at a time', async () => {
    const stats = { inFlight: 0, max: 0, sends: 0 };
    const res = await new TestClient(compose(gate(stats), gzip())(streaming)).get('/', {
      headers: { 'accept-encoding': 'br, gzip;q=0.5' },
    });
    expect(res.status).toBe(201);
    expect(res.header('content-encoding')).toBe('gzip');
    expect(res.header('content-length')).toBeUndefined();
    expect(res.header('vary')).toBe('Accept-Encoding');
    expect(gunzipSync(res.body).toString()).toBe(big.repeat(3));
    expect(stats.max).toBe(1);
    expect(stats.sends).toBeGreaterThan(2);
  });

  it('leaves alone: a client that refuses gzip (q=0), HEAD, an encoded body and an image', async () => {
    const refused = await new TestClient(gzip()(text('x'))).get('/', {
      headers: { 'accept-encoding': 'gzip;q=0, *;q=0' },
    });
    expect(refused.header('content-encoding')).toBeUndefined();
    expect(refused.header('vary')).toBe('Accept-Encoding');
    expect(refused.text).toBe('x');
    const head = await new TestClient(gzip()(text('x'))).head('/', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(head.header('content-encoding')).toBeUndefined();
    expect(head.header('content-length')).toBe('1');
    const image = await new TestClient(gzip()(text('png', 'image/png'))).get('/', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(image.text).toBe('png');
  });
});

describe('session', () => {
  const secret = 'a-test-secret-of-at-least-32-characters';
  const counter: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    const s = SESSION.require(scope); // typed Session, no cast
    const visits = Number(s.visits ?? 0) + 1;
    s.visits = visits;
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: String(visits) });
  };
  const client = new TestClient(session({ secret, secure: false })(counter));

  it('round-trips signed data through the cookie and ignores a forged one', async () => {
    const first = await client.get('/');
    expect(first.text).toBe('1');
    const cookie = first.header('set-cookie')!.split(';')[0]!;
    expect(first.header('set-cookie')).toContain('HttpOnly');
    const second = await client.get('/', { headers: { cookie } });
    expect(second.text).toBe('2');
    const [payload] = cookie.slice('session='.length).split('.');
    const forged = Buffer.from(JSON.stringify({ visits: 99 })).toString('base64url');
    const third = await client.get('/', { headers: { cookie: cookie.replace(payload!, forged) } });
    expect(third.text).toBe('1');
  });

  it('sets no cookie when the session did not change; rejects a short secret when built', async () => {
    const reader: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: String(SESSION.get(scope)?.visits) });
    };
    const res = await new TestClient(session({ secret })(reader)).get('/');
    expect(res.header('set-cookie')).toBeUndefined();
    expect(res.text).toBe('undefined');
    expect(() => session({ secret: 'short' })).toThrow(/32 characters/);
  });

  it('keeps backpressure: the session layer adds no send of its own', async () => {
    const stats = { inFlight: 0, max: 0, sends: 0 };
    const res = await new TestClient(compose(gate(stats), session({ secret }))(counter)).get('/');
    expect(getHeader(res.headers, 'set-cookie')).toMatch(/^session=/);
    expect(stats).toMatchObject({ max: 1, sends: 2 });
  });
});

// The shared rules of @pagi/test every middleware package runs: lifespan and unhandled scope
// types pass through untouched, the caller's scope is never mutated, a streamed body stays
// streamed (gzip included: it must compress chunk by chunk), every send passes the validator.
describeMiddlewareChecks('cors: shared middleware checks', cors(), { handles: ['http', 'sse'] });
describeMiddlewareChecks('gzip: shared middleware checks', gzip(), {
  request: { headers: { 'accept-encoding': 'gzip' } },
});
describeMiddlewareChecks('session: shared middleware checks', session({ secret: 'a'.repeat(32) }), {
  handles: ['http', 'sse', 'websocket'],
});
