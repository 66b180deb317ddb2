import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { type Decision, memoryStore, type Policy, type RateLimitStore, rateLimit } from '../src/index.js';

/** Two body chunks, so a test can see the middleware did not buffer them into one. */
const chunked: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 201, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'one ', more: true });
  await send({ type: 'http.response.body', body: 'two' });
};
/** Accepts a WebSocket, starts an SSE stream, answers HTTP 200. */
const everything: App = async (scope, _receive, send) => {
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [] });
    await send({ type: 'http.response.body', body: 'ok' });
  } else if (scope.type === 'websocket') {
    await send({ type: 'websocket.accept' });
    await send({ type: 'websocket.close', code: 1000 });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start', status: 200, headers: [] });
    await send({ type: 'sse.close' });
  }
};

/** A controllable clock for the memory store: tests move time instead of waiting for it. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

async function statuses(client: TestClient, n: number, path = '/'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await client.get(path)).status);
  return out;
}

describe('rateLimit: token bucket (the default)', () => {
  it('allows `limit` requests, then 429 with Retry-After and the RateLimit-* headers', async () => {
    const client = new TestClient(rateLimit({ limit: 3, windowMs: 60_000 })(chunked));
    const first = await client.get('/');
    expect(first.status).toBe(201);
    expect(first.text).toBe('one two');
    expect(first.events.filter((e) => (e as { type: string }).type === 'http.response.body')).toHaveLength(2);
    expect(first.header('ratelimit-limit')).toBe('3');
    expect(first.header('ratelimit-remaining')).toBe('2');
    expect(first.header('ratelimit-reset')).toBe('20'); // one token refills in 60 s / 3
    expect(await statuses(client, 2)).toEqual([201, 201]);
    const denied = await client.get('/');
    expect(denied.status).toBe(429);
    expect(denied.text).toBe('Too Many Requests');
    expect(denied.header('retry-after')).toBe('20');
    expect(denied.header('ratelimit-remaining')).toBe('0');
    expect(denied.header('ratelimit-reset')).toBe('60');
  });

  it('refills at limit/windowMs per ms, capped at limit (monotonic ms clock, not whole seconds)', async () => {
    const time = clock();
    const client = new TestClient(
      rateLimit({ limit: 4, windowMs: 1000, store: memoryStore({ now: time.now }) })(everything),
    );
    expect(await statuses(client, 5)).toEqual([200, 200, 200, 200, 429]);
    time.advance(250); // exactly one token
    expect(await statuses(client, 2)).toEqual([200, 429]);
    time.advance(10_000); // capped: never more than `limit` banked
    expect(await statuses(client, 5)).toEqual([200, 200, 200, 200, 429]);
  });

  it('a Retry-After under a second is rounded up to 1 (never 0)', async () => {
    const client = new TestClient(rateLimit({ limit: 10, windowMs: 1000 })(everything));
    await statuses(client, 10);
    const denied = await client.get('/');
    expect(denied.status).toBe(429);
    expect(denied.header('retry-after')).toBe('1');
  });
});

describe('rateLimit: sliding window', () => {
  it('counts per window and fades the previous window out linearly', async () => {
    const time = clock(0);
    const store = memoryStore({ now: time.now });
    const client = new TestClient(
      rateLimit({ algorithm: 'sliding-window', limit: 4, windowMs: 1000, store })(everything),
    );
    expect(await statuses(client, 5)).toEqual([200, 200, 200, 200, 429]);
    const denied = await client.get('/');
    // current = 4 fills the window: it ends in 1000 ms, then the 4 fade and one slot opens after 250 ms more
    expect(denied.header('retry-after')).toBe('2');
    time.advance(1000); // next window, previous = 4 at full weight
    expect((await client.get('/')).status).toBe(429);
    time.advance(250); // previous weighs 4 × 0.75 = 3 → one slot
    expect(await statuses(client, 2)).toEqual([200, 429]);
    time.advance(2000); // both windows past
    expect(await statuses(client, 5)).toEqual([200, 200, 200, 200, 429]);
  });

  it('reports remaining and reset from the weighted count', async () => {
    const time = clock(0);
    const client = new TestClient(
      rateLimit({
        algorithm: 'sliding-window',
        limit: 10,
        windowMs: 10_000,
        store: memoryStore({ now: time.now }),
      })(everything),
    );
    time.advance(4000);
    const res = await client.get('/');
    expect(res.header('ratelimit-remaining')).toBe('9');
    expect(res.header('ratelimit-reset')).toBe('16'); // 6 s left in this window + the next one
  });
});

describe('rateLimit: keys and instances', () => {
  it('two limiters never share buckets (toolkit-parity §1.6: upstream shared one process-global hash)', async () => {
    const strict = rateLimit({ limit: 1, windowMs: 60_000 });
    const lenient = rateLimit({ limit: 5, windowMs: 60_000 });
    const a = new TestClient(strict(everything));
    const b = new TestClient(lenient(everything));
    expect(await statuses(a, 2)).toEqual([200, 429]);
    // Same client address, same key: the other limiter's counters are untouched.
    expect(await statuses(b, 5)).toEqual([200, 200, 200, 200, 200]);
    expect((await b.get('/')).status).toBe(429);
  });

  it('two limiters on one shared store are kept apart by name (and together by the same name)', async () => {
    const store = memoryStore();
    const one = new TestClient(rateLimit({ limit: 1, store, name: 'one' })(everything));
    const two = new TestClient(rateLimit({ limit: 1, store, name: 'two' })(everything));
    const twoAgain = new TestClient(rateLimit({ limit: 1, store, name: 'two' })(everything));
    expect((await one.get('/')).status).toBe(200);
    expect((await two.get('/')).status).toBe(200);
    expect((await twoAgain.get('/')).status).toBe(429);
  });

  it('keys by client address by default: another address has its own bucket', async () => {
    const limiter = rateLimit({ limit: 1 })(everything);
    const alice = new TestClient(limiter, { client: ['10.0.0.1', 1000] });
    const bob = new TestClient(limiter, { client: ['10.0.0.2', 1000] });
    const aliceOtherPort = new TestClient(limiter, { client: ['10.0.0.1', 2000] });
    expect((await alice.get('/')).status).toBe(200);
    expect((await bob.get('/')).status).toBe(200);
    expect((await aliceOtherPort.get('/')).status).toBe(429); // the port is not part of the key
  });

  it('key(): a custom key, and undefined lets a request through uncounted and without headers', async () => {
    const limiter = rateLimit({
      limit: 1,
      key: (scope) =>
        scope.path === '/health'
          ? undefined
          : (scope.headers.find(([n]) => n === 'x-api-key')?.[1] ?? 'anon'),
    })(everything);
    const client = new TestClient(limiter);
    expect((await client.get('/', { headers: { 'x-api-key': 'k1' } })).status).toBe(200);
    expect((await client.get('/', { headers: { 'x-api-key': 'k2' } })).status).toBe(200);
    expect((await client.get('/', { headers: { 'x-api-key': 'k1' } })).status).toBe(429);
    const health = await client.get('/health');
    expect(health.status).toBe(200);
    expect(health.header('ratelimit-limit')).toBeUndefined();
    expect((await client.get('/health')).status).toBe(200);
  });

  it('a key() that returns a non-string is a bug named in the error', async () => {
    const client = new TestClient(rateLimit({ key: () => 42 as never })(everything));
    await expect(client.get('/')).rejects.toThrow(/key\(\) to return a string or undefined, got number/);
  });

  it('a huge client-chosen key is hashed, not stored as given', async () => {
    const seen: string[] = [];
    const store: RateLimitStore = {
      hit: (key: string, policy: Policy): Decision => {
        seen.push(key);
        return memoryStore().hit(key, policy) as Decision;
      },
    };
    const client = new TestClient(rateLimit({ store, key: () => 'x'.repeat(100_000) })(everything));
    expect((await client.get('/')).status).toBe(200);
    expect(seen[0]!.length).toBeLessThan(100);
    expect(seen[0]).toMatch(/^default:tb:#/);
  });

  it('memoryStore maxKeys: the least recently hit key is evicted (memory stays bounded)', async () => {
    const store = memoryStore({ maxKeys: 2 });
    const limiter = rateLimit({ limit: 1, store })(everything);
    const at = (ip: string) => new TestClient(limiter, { client: [ip, 1] });
    expect((await at('1.1.1.1').get('/')).status).toBe(200);
    expect((await at('2.2.2.2').get('/')).status).toBe(200);
    expect((await at('1.1.1.1').get('/')).status).toBe(429); // touches 1.1.1.1: now most recent
    expect((await at('3.3.3.3').get('/')).status).toBe(200); // evicts 2.2.2.2
    expect((await at('1.1.1.1').get('/')).status).toBe(429); // still remembered
    expect((await at('2.2.2.2').get('/')).status).toBe(200); // forgotten: a fresh bucket
  });

  it('concurrent requests never overdraw the bucket', async () => {
    const client = new TestClient(rateLimit({ limit: 5 })(everything));
    const all = await Promise.all(Array.from({ length: 20 }, () => client.get('/')));
    expect(all.filter((r) => r.status === 200)).toHaveLength(5);
  });
});

describe('rateLimit: options', () => {
  it('headers: false leaves responses and 429s without RateLimit-* (Retry-After stays)', async () => {
    const client = new TestClient(rateLimit({ limit: 1, headers: false })(everything));
    const ok = await client.get('/');
    expect(ok.header('ratelimit-limit')).toBeUndefined();
    const denied = await client.get('/');
    expect(denied.status).toBe(429);
    expect(denied.header('ratelimit-remaining')).toBeUndefined();
    expect(denied.header('retry-after')).toBeDefined();
  });

  it('message: the 429 body', async () => {
    const client = new TestClient(rateLimit({ limit: 1, message: 'slow down' })(everything));
    await client.get('/');
    expect((await client.get('/')).text).toBe('slow down');
  });

  it('scopes: WebSocket handshakes and SSE streams pass uncounted by default', async () => {
    const client = new TestClient(rateLimit({ limit: 1 })(everything));
    for (let i = 0; i < 3; i++) {
      expect((await client.websocket('/ws')).accepted).toBe(true);
      expect((await client.sse('/events')).status).toBe(200);
    }
  });

  it("scopes: ['websocket'] denies the handshake 429 (denial extension) with headers on the accept", async () => {
    const client = new TestClient(rateLimit({ limit: 1, scopes: ['websocket'] })(everything));
    const ws = await client.websocket('/ws');
    expect(ws.accepted).toBe(true);
    expect(ws.acceptHeaders).toContainEqual(['ratelimit-remaining', '0']);
    const denied = await client.websocket('/ws');
    expect(denied.accepted).toBe(false);
    expect(denied.denial?.status).toBe(429);
    expect(denied.denial?.headers.find(([n]) => n === 'retry-after')).toBeDefined();
    expect((await client.get('/')).status).toBe(200); // http not listed: uncounted
    expect((await client.get('/')).status).toBe(200);
  });

  it("scopes: ['sse'] declines the stream 429", async () => {
    const client = new TestClient(rateLimit({ limit: 1, scopes: ['sse'] })(everything));
    const ok = await client.sse('/events');
    expect(ok.status).toBe(200);
    expect(ok.headers).toContainEqual(['ratelimit-limit', '1']);
    const denied = await client.sse('/events');
    expect(denied.declined).toBe(true);
    expect(denied.status).toBe(429);
  });

  it("onStoreError: 'reject' (default) answers 503 with Retry-After; 'allow' runs the app unlimited", async () => {
    const broken: RateLimitStore = {
      hit: () => {
        throw new Error('disk on fire');
      },
    };
    const rejected = await new TestClient(rateLimit({ store: broken })(everything)).get('/');
    expect(rejected.status).toBe(503);
    expect(rejected.header('retry-after')).toBe('1');
    const allowed = await new TestClient(rateLimit({ store: broken, onStoreError: 'allow' })(everything)).get(
      '/',
    );
    expect(allowed.status).toBe(200);
    expect(allowed.header('ratelimit-limit')).toBeUndefined();
  });

  it('onStoreError: a function sees a typed error (stable code, cause kept) and chooses', async () => {
    const cause = new Error('connection refused');
    const seen: unknown[] = [];
    const store: RateLimitStore = { hit: () => Promise.reject(cause) };
    const limiter = rateLimit({
      store,
      onStoreError: (error, scope) => {
        seen.push(error);
        return scope.path === '/open' ? 'allow' : 'reject';
      },
    })(everything);
    const client = new TestClient(limiter);
    expect((await client.get('/open')).status).toBe(200);
    expect((await client.get('/closed')).status).toBe(503);
    expect(seen[0]).toMatchObject({ code: 'PAGI_ERR_RATE_LIMIT_STORE', cause });
    expect((seen[0] as Error).message).toMatch(/connection refused/);
  });

  it('refuses unknown options and bad values when called, not per request', () => {
    expect(() => rateLimit({ limt: 1 } as never)).toThrow(/unknown option 'limt'/);
    expect(() => rateLimit({ limit: 0 })).toThrow(/limit to be an integer ≥ 1/);
    expect(() => rateLimit({ limit: 1.5 })).toThrow(/limit/);
    expect(() => rateLimit({ windowMs: -1 })).toThrow(/windowMs/);
    expect(() => rateLimit({ algorithm: 'leaky' as never })).toThrow(/algorithm/);
    expect(() => rateLimit({ key: 'ip' as never })).toThrow(/key to be a function/);
    expect(() => rateLimit({ store: {} as never })).toThrow(/store/);
    expect(() => rateLimit({ name: '' })).toThrow(/name/);
    expect(() => rateLimit({ scopes: ['lifespan' as never] })).toThrow(/scopes/);
    expect(() => rateLimit({ headers: 'yes' as never })).toThrow(/headers/);
    expect(() => rateLimit({ onStoreError: 'ignore' as never })).toThrow(/onStoreError/);
    expect(() => rateLimit({ message: 1 as never })).toThrow(/message/);
    expect(() => memoryStore({ maxKeys: 0 })).toThrow(/maxKeys/);
    expect(() => memoryStore({ max: 1 } as never)).toThrow(/unknown option 'max'/);
  });

  it('passes lifespan through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await rateLimit()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
  });

  it('lets the inner app’s errors through unchanged, and names its functions', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(rateLimit()(failing)).get('/')).rejects.toBe(boom);
    expect(rateLimit().name).toBe('rateLimit');
    expect(rateLimit()(chunked).name).toBe('rateLimit');
  });
});

// The shared checks every middleware runs: lifespan and unhandled scope types pass through
// untouched, the caller's scope is never mutated, a streamed body stays streamed, every send
// passes the spec's validator.
describeMiddlewareChecks('rateLimit: the shared middleware checks of @pagi/test', rateLimit({ limit: 1000 }));
describeMiddlewareChecks(
  'rateLimit (all scope types): the shared middleware checks of @pagi/test',
  rateLimit({ limit: 1000, scopes: ['http', 'websocket', 'sse'] }),
  { handles: ['http', 'websocket', 'sse'] },
);
