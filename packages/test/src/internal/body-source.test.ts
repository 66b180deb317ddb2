import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BodyChunk, prepareBody } from './body-source.js';

async function drain(next: () => Promise<BodyChunk>): Promise<BodyChunk[]> {
  const out: BodyChunk[] = [];
  while (true) {
    const chunk = await next();
    out.push(chunk);
    if (!chunk.more) return out;
  }
}

describe('prepareBody', () => {
  it('turns any iterable into one event per chunk, more false only on the last', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 6 }),
        fc.boolean(),
        async (chunks, asAsync) => {
          async function* gen() {
            yield* chunks;
          }
          const { source } = prepareBody({ body: asAsync ? gen() : chunks }, '1.1');
          const events = await drain(() => source.next());
          expect(events).toHaveLength(Math.max(1, chunks.length));
          expect(events.map((e) => e.more)).toEqual(events.map((_, i) => i < events.length - 1));
          expect(Buffer.concat(events.map((e) => e.body)).toString()).toBe(chunks.join(''));
        },
      ),
    );
  });

  it('hands out a chunk at once when the next one is still being produced', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* gen() {
      yield 'first';
      await held;
      yield 'second';
    }
    const { source } = prepareBody({ body: gen() }, '1.1');
    // Would hang (the test times out) if the source waited for 'second' to learn `more`.
    const first = await source.next();
    expect([first.body.toString(), first.more]).toEqual(['first', true]);
    release();
    const rest = await drain(() => source.next());
    expect(Buffer.concat(rest.map((e) => e.body)).toString()).toBe('second');
    expect(rest.at(-1)!.more).toBe(false);
  });

  it('describes known bodies with content-length, iterables with chunked on 1.1 only', () => {
    expect(prepareBody({ body: 'abc' }, '1.1').headers).toEqual([['content-length', '3']]);
    expect(prepareBody({ body: ['a'] }, '1.1').headers).toEqual([['transfer-encoding', 'chunked']]);
    expect(prepareBody({ body: ['a'] }, '2').headers).toEqual([]);
    expect(prepareBody({}, '1.1').headers).toEqual([]);
  });
});
