import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { cookieStore, memoryStore, newSessionId, session } from '../src/index.js';
import { sessionApp } from './support.js';

const K1 = 'k'.repeat(32);
const K2 = 'q'.repeat(32);
const record = (data: Record<string, unknown> = { user: 'alice' }, expires = Date.now() + 60_000) => ({
  id: newSessionId(),
  data,
  expires,
});

describe('memoryStore', () => {
  it('keeps a copy, not the app’s object', async () => {
    const store = memoryStore();
    const data = { list: [1] };
    const r = { ...record(), data };
    await store.set(r);
    data.list.push(2);
    expect((await store.get(r.id))?.data).toEqual({ list: [1] });
  });

  it('keeps the creation time (absoluteMaxAge counts from it)', async () => {
    const store = memoryStore();
    const r = { ...record(), created: 42 };
    await store.set(r);
    expect((await store.get(r.id))?.created).toBe(42);
    await store.update?.({ ...r, data: { n: 1 } });
    expect((await store.get(r.id))?.created).toBe(42);
  });

  it('expires records by time', async () => {
    let t = 0;
    const store = memoryStore({ now: () => t });
    const r = record({}, 1000);
    await store.set(r);
    t = 999;
    expect(await store.get(r.id)).toBeDefined();
    t = 1000;
    expect(await store.get(r.id)).toBeUndefined();
  });

  it('is bounded by maxSessions: expired records go first, then the least recently used', async () => {
    let t = 0;
    const store = memoryStore({ maxSessions: 3, now: () => t });
    const a = record({ n: 'a' }, 10_000);
    const b = record({ n: 'b' }, 10_000);
    const c = record({ n: 'c' }, 5);
    for (const r of [a, b, c]) await store.set(r);
    t = 10;
    await store.set(record({ n: 'd' }, 10_000)); // c had expired: it goes, a and b stay
    expect(store.size).toBe(3);
    expect(await store.get(a.id)).toBeDefined(); // a is now the most recently used
    await store.set(record({ n: 'e' }, 10_000)); // evicts b, the least recently used
    expect(store.size).toBe(3);
    expect(await store.get(b.id)).toBeUndefined();
    expect(await store.get(a.id)).toBeDefined();
  });

  it('a flood of new sessions into a full store costs O(1) each, not a sweep of every record', async () => {
    // Each save into a full store used to walk all maxSessions records looking for expired ones:
    // 1000 saves here took seconds. Now a full sweep runs at most once a second.
    const store = memoryStore({ maxSessions: 100_000 });
    const expires = Date.now() + 3_600_000;
    for (let i = 0; i < 100_000; i++) await store.set({ id: newSessionId(), data: {}, expires });
    const started = performance.now();
    for (let i = 0; i < 1000; i++) await store.set({ id: newSessionId(), data: { n: i }, expires });
    expect(performance.now() - started).toBeLessThan(1000); // about 10 ms expected
    expect(store.size).toBe(100_000);
  }, 30_000);

  it('touch moves the expiry; delete removes; options are checked', async () => {
    let t = 0;
    const store = memoryStore({ now: () => t });
    const r = record({}, 100);
    await store.set(r);
    await store.touch?.(r.id, 500);
    t = 400;
    expect(await store.get(r.id)).toBeDefined();
    await store.delete(r.id);
    expect(await store.get(r.id)).toBeUndefined();
    expect(() => memoryStore({ maxSessions: 0 })).toThrow(/maxSessions/);
    expect(() => memoryStore({ max: 1 } as never)).toThrow(/unknown option 'max'/);
  });
});

describe('cookieStore (AES-256-GCM)', () => {
  it('round-trips a record; the sealed value reveals nothing of the data', async () => {
    const store = cookieStore({ keys: K1 });
    const r = record({ user: 'alice', secret: 'hunter2' });
    const sealed = await store.set(r);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toMatch(/alice|hunter2/);
    expect(await store.get(sealed)).toEqual(r);
    expect((await store.get(await store.set({ ...r, created: 42 })))?.created).toBe(42);
    // A fresh IV each time: the same record never seals to the same value.
    expect(await store.set(r)).not.toBe(sealed);
  });

  it('attack: a tampered, truncated or foreign-key value does not open', async () => {
    const store = cookieStore({ keys: K1 });
    const sealed = await store.set(record());
    const bytes = Buffer.from(sealed, 'base64url');
    for (const i of [0, 5, 20, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[i] = (flipped[i] as number) ^ 1;
      expect(await store.get(flipped.toString('base64url'))).toBeUndefined();
    }
    expect(await store.get(sealed.slice(0, -4))).toBeUndefined();
    expect(await store.get('')).toBeUndefined();
    expect(await store.get('not base64 ***')).toBeUndefined();
    expect(await cookieStore({ keys: K2 }).get(sealed)).toBeUndefined();
  });

  it('key rotation: seals with the first key, opens with any', async () => {
    const old = await cookieStore({ keys: K2 }).set(record({ v: 'old' }));
    const rotated = cookieStore({ keys: [K1, K2] });
    expect((await rotated.get(old))?.data).toEqual({ v: 'old' });
    const fresh = await rotated.set(record({ v: 'new' }));
    expect((await cookieStore({ keys: K1 }).get(fresh))?.data).toEqual({ v: 'new' });
    expect(await cookieStore({ keys: K2 }).get(fresh)).toBeUndefined();
  });

  it('the expiry is inside the seal: an expired cookie does not open, whatever the browser kept', async () => {
    let t = 0;
    const store = cookieStore({ keys: K1, now: () => t });
    const sealed = await store.set(record({}, 1000));
    t = 1000;
    expect(await store.get(sealed)).toBeUndefined();
  });

  it('size limit: a session over maxSize fails with PAGI_ERR_SESSION_TOO_LARGE', async () => {
    const store = cookieStore({ keys: K1, maxSize: 200 });
    await expect(store.set(record({ big: 'x'.repeat(500) }))).rejects.toMatchObject({
      code: 'PAGI_ERR_SESSION_TOO_LARGE',
      message: /at most 200 characters/,
    });
    expect(await store.get('a'.repeat(201))).toBeUndefined();
  });

  it('through the middleware: the session lives in the cookie, the jar carries it; too large → the app’s send rejects', async () => {
    const app = session({ store: cookieStore({ keys: K1, maxSize: 400 }) })(
      sessionApp((s, path) => {
        if (path === '/big') s.set('big', 'x'.repeat(1000));
        else s.set('n', (s.get<number>('n') ?? 0) + 1);
        return s.get('n') ?? null;
      }),
    );
    const client = new TestClient(app);
    await client.get('/inc');
    expect((client.cookies.get('pagi_session') as string).length).toBeGreaterThan(43);
    expect((await client.get('/inc')).json()).toBe(2);
    await expect(client.get('/big')).rejects.toMatchObject({ code: 'PAGI_ERR_SESSION_TOO_LARGE' });
  });

  it('refuses short keys, unknown options, a tiny maxSize', () => {
    expect(() => cookieStore({ keys: 'short' })).toThrow(/at least 32 characters/);
    expect(() => cookieStore({ keys: [] })).toThrow(/at least 32/);
    expect(() => cookieStore({ keys: K1, maxSize: 10 })).toThrow(/maxSize/);
    expect(() => cookieStore({ keys: K1, secret: 1 } as never)).toThrow(/unknown option 'secret'/);
  });
});
