import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { counterIdGenerator } from '../src/generator.js';
import { isValidRequestId, REQUEST_ID, requestId } from '../src/index.js';

let seen: string | undefined;
const app: App = async (scope, receive, send) => {
  if (scope.type === 'lifespan') return;
  seen = REQUEST_ID.get(scope);
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [] });
    await send({ type: 'http.response.body', body: 'ok' });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200 });
  } else {
    await receive();
    await send({ type: 'websocket.accept' });
  }
};
/** The default generator's IDs: UUID-shaped, version 8 (RFC 9562 §5.8), variant 10. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestId', () => {
  it('generates a UUID, hands it to the inner app and echoes it in the response', async () => {
    const res = await new TestClient(requestId()(app)).get('/');
    expect(res.header('x-request-id')).toMatch(UUID);
    expect(seen).toBe(res.header('x-request-id'));
    const again = await new TestClient(requestId()(app)).get('/');
    expect(again.header('x-request-id')).not.toBe(res.header('x-request-id'));
  });

  it('default IDs: unique per call and per generator, valid, the prefix redrawn before the counter repeats', () => {
    const next = counterIdGenerator();
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(next());
    expect(ids.size).toBe(100_000);
    for (const id of [...ids].slice(0, 1000)) {
      expect(id).toMatch(UUID);
      expect(isValidRequestId(id)).toBe(true);
    }
    // Consecutive IDs share the random prefix; the scrambled counter hides their order.
    const [a, b] = [next(), next()];
    expect(a.slice(0, 28)).toBe(b.slice(0, 28));
    expect(Number.parseInt(b.slice(28), 16) - Number.parseInt(a.slice(28), 16)).not.toBe(1);
    // Another generator (another process, another requestId()) has another prefix.
    expect(counterIdGenerator()().slice(0, 28)).not.toBe(a.slice(0, 28));
    // After `period` IDs (2^32 by default) a new prefix is drawn: no ID repeats.
    const short = counterIdGenerator(3);
    const made = Array.from({ length: 9 }, () => short());
    expect(new Set(made).size).toBe(9);
    expect(new Set(made.map((id) => id.slice(0, 28))).size).toBe(3);
  });

  it('generator: crypto.randomUUID gives random version-4 UUIDs', async () => {
    const res = await new TestClient(requestId({ generator: randomUUID })(app)).get('/');
    expect(res.header('x-request-id')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('ignores the incoming header unless trustIncoming (upstream default too)', async () => {
    const res = await new TestClient(requestId()(app)).get('/', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.header('x-request-id')).toMatch(UUID);
    const trusted = await new TestClient(requestId({ trustIncoming: true })(app)).get('/', {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(trusted.header('x-request-id')).toBe('abc-123');
    expect(seen).toBe('abc-123');
  });

  it('replaces an invalid incoming ID with a fresh one (upstream took it unvalidated)', async () => {
    const mw = requestId({ trustIncoming: true });
    for (const bad of ['', 'a'.repeat(201), 'has space', 'semi;colon', 'quote"', '<script>', 'ünï']) {
      const res = await new TestClient(mw(app)).get('/', { headers: { 'x-request-id': bad } });
      expect(res.header('x-request-id')).toMatch(UUID);
    }
    const longest = 'a'.repeat(200);
    expect(
      (await new TestClient(mw(app)).get('/', { headers: { 'x-request-id': longest } })).header(
        'x-request-id',
      ),
    ).toBe(longest);
  });

  it('header and generator options', async () => {
    let n = 0;
    const mw = requestId({ header: 'X-Trace-Id', generator: () => `id-${++n}` });
    const res = await new TestClient(mw(app)).get('/');
    expect(res.header('x-trace-id')).toBe('id-1');
    expect(res.header('x-request-id')).toBeUndefined();
    expect(seen).toBe('id-1');
  });

  it('a generator returning an invalid ID is a typed error naming the rule', async () => {
    const mw = requestId({ generator: () => 'bad id' });
    await expect(new TestClient(mw(app)).get('/')).rejects.toThrow(
      /expected generator to return 1-200 characters/,
    );
  });

  it('the app’s own header wins', async () => {
    const own: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['x-request-id', 'mine']] });
      await send({ type: 'http.response.body' });
    };
    expect((await new TestClient(requestId()(own)).get('/')).headerValues('x-request-id')).toEqual(['mine']);
  });

  it('covers SSE and WebSocket connections (upstream: http only)', async () => {
    const client = new TestClient(requestId()(app));
    const feed = await client.sse('/');
    expect(feed.header('x-request-id')).toMatch(UUID);
    expect(seen).toBe(feed.header('x-request-id'));
    await feed.disconnect();
    const ws = await client.websocket('/');
    expect(ws.acceptHeaders).toEqual([['x-request-id', seen]]);
    await ws.close();
  });

  it('isValidRequestId accepts exactly the safe charset up to 200 characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 250 }), (s) => {
        expect(isValidRequestId(s)).toBe(
          s.length >= 1 && s.length <= 200 && /^[A-Za-z0-9\-_.:+=/@]+$/.test(s),
        );
      }),
    );
  });

  it('passes lifespan through with the very same scope', async () => {
    let got: unknown;
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await requestId()(async (s) => {
      got = s;
    })(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(got).toBe(scope);
  });

  it('refuses unknown options and bad values when called', () => {
    expect(() => requestId({ trust_incoming: true } as never)).toThrow(/unknown option 'trust_incoming'/);
    expect(() => requestId({ header: 'bad header' })).toThrow();
    expect(() => requestId({ trustIncoming: 'yes' as never })).toThrow(/trustIncoming/);
    expect(() => requestId({ generator: 'uuid' as never })).toThrow(/generator/);
  });

  it('names its functions for stack traces', () => {
    expect(requestId().name).toBe('requestId');
    expect(requestId()(app).name).toBe('requestId');
  });
});

describeMiddlewareChecks('requestId: the shared middleware checks of @pagi/test', requestId(), {
  handles: ['http', 'sse', 'websocket'],
});
