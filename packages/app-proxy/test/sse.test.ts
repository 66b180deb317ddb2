/** SSE through the proxy over real sockets, and the event-stream parser it relays with. */
import { formatSseComment, formatSseMessage } from '@pagi/spec';
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStreamParser, EventTooLargeError, type StreamItem } from '../src/event-stream-parser.js';
import { type ProxyApp, proxy } from '../src/index.js';
import { type Backend, startBackend } from './backend.js';
import { serve } from './serve.js';

let backend: Backend;
let app: ProxyApp;
let front: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  backend = await startBackend();
  app = proxy({ target: backend.url, onError: () => {} });
  front = await serve(app);
});
afterAll(async () => {
  await front.close();
  await app.close();
  await backend.close();
});

describe('SSE through the proxy', () => {
  it('streams each event as it comes (unbuffered) and ends when the backend ends', async () => {
    const res = await request(`${front.url}/sse`, { headers: { accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['x-from']).toBe('backend');
    const upstream = await backend.sseOpened;
    const reader = res.body[Symbol.asyncIterator]();
    let seen = '';
    const readUntil = async (text: string) => {
      while (!seen.includes(text)) {
        const step = await reader.next();
        if (step.done)
          throw new Error(`stream ended before ${JSON.stringify(text)}; got ${JSON.stringify(seen)}`);
        seen += step.value.toString();
      }
    };
    // Each write waits until the client has seen the previous event: a buffering proxy deadlocks here.
    upstream.write('event: tick\ndata: 1\nid: a1\n\n');
    await readUntil('data: 1\n');
    expect(seen).toContain('event: tick\ndata: 1\nid: a1\n\n');
    upstream.write(': keepalive\n\n');
    await readUntil(': keepalive\n');
    upstream.write('data: two\r\ndata: lines\r\n\r\n');
    await readUntil('data: lines\n');
    expect(seen).toContain('data: two\ndata: lines\n\n');
    upstream.write('retry: 5000\ndata: x\n\n');
    await readUntil('retry: 5000\n');
    upstream.end();
    for (let step = await reader.next(); !step.done; step = await reader.next())
      seen += step.value.toString();
  });

  it('a backend that answers an event-stream request with 404 is passed on as the refusal it is', async () => {
    const res = await request(`${front.url}/nope`, { headers: { accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(404);
    expect(await res.body.text()).toBe('no such route');
  });
});

describe('EventStreamParser', () => {
  const parseAll = (chunks: string[], max = 1 << 20): StreamItem[] => {
    const parser = new EventStreamParser(max);
    const out: StreamItem[] = [];
    for (const c of chunks) parser.push(c, out);
    return out;
  };

  it('parses the WHATWG examples: fields, comments, CR/LF/CRLF, BOM, id and retry carried to the next event', () => {
    expect(
      parseAll(['\ufeffdata: a\r', '\ndata:b\rdata\n\n: hi\n\nid: 7\nretry: 10\n\nevent: e\ndata: c\n\n']),
    ).toEqual([
      { kind: 'event', data: 'a\nb\n' },
      { kind: 'comment', comment: ': hi' },
      { kind: 'event', event: 'e', data: 'c', id: '7', retry: 10 },
    ]);
    // No data: nothing dispatched; an unknown field or a bad retry is ignored; NUL in id ignored.
    expect(parseAll(['event: x\n\nfoo: 1\nretry: 1x\nid: a\0b\ndata\n\n'])).toEqual([
      { kind: 'event', data: '' },
    ]);
  });

  it('refuses an event larger than the limit, also one that never ends its line', () => {
    expect(() => parseAll([`data: ${'x'.repeat(100)}\n`], 50)).toThrow(EventTooLargeError);
    expect(() => parseAll(['data: ', 'x'.repeat(100)], 50)).toThrow(EventTooLargeError);
  });

  it('gives back what formatSseMessage/formatSseComment wrote, however the text is split', () => {
    const field = fc.string({ maxLength: 8 }).filter((s) => !/[\r\n\0]/.test(s));
    const message = fc.record({
      data: fc.string({ maxLength: 20 }),
      event: fc.option(field, { nil: undefined }),
      id: fc.option(field, { nil: undefined }),
      retry: fc.option(fc.nat(100000), { nil: undefined }),
    });
    const item = fc.oneof(
      message.map((m) => ({ kind: 'event' as const, ...m })),
      field.map((c) => ({ kind: 'comment' as const, comment: `:${c}` })),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 5 }), (items, cuts) => {
        const wire = items
          .map((i) => (i.kind === 'comment' ? formatSseComment(i.comment) : formatSseMessage(i)))
          .join('');
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let at = 0;
        for (const p of points) {
          chunks.push(wire.slice(at, p));
          at = p;
        }
        chunks.push(wire.slice(at));
        const expected = items.map((i) => {
          if (i.kind === 'comment') return i;
          const e: StreamItem = { kind: 'event', data: i.data.split(/\r\n|\r|\n/).join('\n') };
          if (i.event) e.event = i.event;
          if (i.id) e.id = i.id;
          if (i.retry !== undefined) e.retry = i.retry;
          return e;
        });
        expect(parseAll(chunks)).toEqual(expected);
      }),
    );
  });
});
