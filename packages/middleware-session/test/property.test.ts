import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cookieStore, cookieTransport, memoryStore, newSessionId } from '../src/index.js';

const K = 'k'.repeat(32);
const json = fc.dictionary(fc.string(), fc.jsonValue());

describe('properties', () => {
  it('cookieStore: any JSON data round-trips; any other string opens to undefined, never a throw', async () => {
    const store = cookieStore({ keys: K, maxSize: 100_000 });
    await fc.assert(
      fc.asyncProperty(json, async (data) => {
        const record = { id: newSessionId(), data, expires: Date.now() + 60_000 };
        const opened = await store.get(await store.set(record));
        expect(opened?.id).toBe(record.id);
        expect(JSON.stringify(opened?.data)).toBe(JSON.stringify(JSON.parse(JSON.stringify(data))));
      }),
      { numRuns: 50 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (handle) => {
        expect(await store.get(handle)).toBeUndefined();
      }),
    );
  });

  it('cookieStore: flipping any bit of a sealed session makes it unreadable', async () => {
    const store = cookieStore({ keys: K });
    const sealed = Buffer.from(
      await store.set({ id: newSessionId(), data: { a: 1 }, expires: Date.now() + 60_000 }),
      'base64url',
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(sealed.length * 8 - 1), async (bit) => {
        const copy = Buffer.from(sealed);
        copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
        expect(await store.get(copy.toString('base64url'))).toBeUndefined();
      }),
    );
  });

  it('memoryStore and cookieTransport: arbitrary handles and Cookie headers never throw', async () => {
    const store = memoryStore();
    const transport = cookieTransport();
    await fc.assert(
      fc.asyncProperty(fc.string(), async (value) => {
        expect(await store.get(value)).toBeUndefined();
        const header = value.replace(/[\r\n\0]/g, '');
        expect(() => transport.read({ headers: [['cookie', header]] } as never)).not.toThrow();
      }),
    );
  });
});
