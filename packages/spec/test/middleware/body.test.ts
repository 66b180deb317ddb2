import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type HttpScope, type ProtocolApp, type SendEvent, SETTLED } from '../../src/index.js';
import {
  type BodyTransform,
  bufferBody,
  HttpError,
  readBody,
  setHeader,
  transformBody,
} from '../../src/middleware/index.js';
import { readFileBody, statFileBody } from '../../src/middleware/node.js';
import { httpScope } from '../fixtures/scopes.js';
import { bodyText, recorder, scripted } from './support.js';

/** Upper-cases ASCII; holds bytes back until flush/end, to show both paths. */
function upper(log: string[] = []): BodyTransform {
  let held = '';
  const out = (s: string) => new TextEncoder().encode(s.toUpperCase());
  return {
    write(chunk) {
      held += Buffer.from(chunk).toString('latin1');
      if (held.length < 3) return undefined;
      const ready = held;
      held = '';
      return out(ready);
    },
    flush() {
      const ready = held;
      held = '';
      return [out(ready)];
    },
    end() {
      log.push('end');
      return out(held);
    },
    destroy() {
      log.push('destroy');
    },
  };
}

const noReceive = async () => ({ type: 'http.disconnect' as const });

function appSending(events: SendEvent<'http'>[], after?: () => void): ProtocolApp<'http'> {
  return async (_scope, _receive, send) => {
    for (const e of events) await send(e);
    after?.();
  };
}

const start = (status = 200, headers: [string, string][] = [['content-length', '9']]) =>
  ({ type: 'http.response.start', status, headers }) as const;

describe('transformBody', () => {
  it('transforms chunk by chunk with one awaited inner send per output chunk, and drops content-length', async () => {
    const rec = recorder(true);
    const app = appSending([
      start(),
      { type: 'http.response.body', body: 'abc', more: true },
      { type: 'http.response.body', body: 'def', more: true },
      { type: 'http.response.body', body: 'gh' },
    ]);
    const done = transformBody(app, httpScope(), noReceive, rec.send, (headers) => ({
      headers: setHeader(headers, 'x-t', 'upper'),
      transform: upper(),
    }));
    await rec.pump(done);
    await done;
    expect(rec.maxInFlight).toBe(1);
    expect(rec.events[0]).toEqual({ type: 'http.response.start', status: 200, headers: [['x-t', 'upper']] });
    expect(bodyText(rec.events)).toBe('ABCDEFGH');
    expect(rec.events.filter((e) => e.type === 'http.response.body')).toHaveLength(4); // ABC, DEF, GH, final
    expect(rec.events.at(-1)).toEqual({ type: 'http.response.body', more: false });
  });

  it('maps http.fullflush to a flush of the transform, then forwards it', async () => {
    const rec = recorder();
    const app = appSending([
      start(),
      { type: 'http.response.body', body: 'a', more: true },
      { type: 'http.fullflush' },
      { type: 'http.response.body', body: '' },
    ]);
    await transformBody(app, httpScope({ fullflush: {} }), noReceive, rec.send, (headers) => ({
      headers,
      transform: upper(),
    }));
    expect(rec.events.map((e) => e.type)).toEqual([
      'http.response.start',
      'http.response.body',
      'http.fullflush',
      'http.response.body',
    ]);
    expect(bodyText(rec.events)).toBe('A');
  });

  it('gives begin the first body event (a size threshold needs it)', async () => {
    const app = appSending([
      start(),
      { type: 'http.response.body', body: 'abc', more: true },
      { type: 'http.response.body', body: 'def' },
    ]);
    let first: unknown;
    await transformBody(app, httpScope(), noReceive, recorder().send, (_headers, _start, event) => {
      first = event;
      return undefined;
    });
    expect(first).toEqual({ type: 'http.response.body', body: 'abc', more: true });
  });

  it('skips HEAD, 204, 304 and ranged responses without calling begin', async () => {
    for (const [method, status, headers] of [
      ['HEAD', 200, []],
      ['GET', 204, []],
      ['GET', 304, []],
      ['GET', 206, []],
      ['GET', 200, [['content-range', 'bytes 0-1/9']]],
    ] as const) {
      const rec = recorder();
      const app = appSending([
        start(status, [...headers] as [string, string][]),
        { type: 'http.response.body', body: 'ab' },
      ]);
      await transformBody(app, { ...httpScope(), method }, noReceive, rec.send, () => {
        throw new Error('begin called');
      });
      expect(bodyText(rec.events)).toBe('ab');
    }
  });

  it('destroys the transform when the app throws mid-body, and passes the error through', async () => {
    const log: string[] = [];
    const boom = new Error('boom');
    const app: ProtocolApp<'http'> = async (_s, _r, send) => {
      await send(start());
      await send({ type: 'http.response.body', body: 'abc', more: true });
      throw boom;
    };
    const rec = recorder();
    await expect(
      transformBody(app, httpScope(), noReceive, rec.send, (headers) => ({ headers, transform: upper(log) })),
    ).rejects.toBe(boom);
    expect(log).toEqual(['destroy']);
  });

  it('destroys the transform when the client disconnects', async () => {
    const log: string[] = [];
    let onDisconnect: (() => void) | undefined;
    const scope: HttpScope = {
      ...httpScope(),
      'pagi.connection': {
        ...httpScope()['pagi.connection'],
        on_disconnect: (cb) => (onDisconnect = () => cb('client_closed')),
      },
    };
    const app: ProtocolApp<'http'> = async (_s, _r, send) => {
      await send(start());
      await send({ type: 'http.response.body', body: 'abc', more: true });
      onDisconnect?.();
    };
    await transformBody(app, scope, noReceive, recorder().send, (headers) => ({
      headers,
      transform: upper(log),
    }));
    expect(log).toEqual(['destroy']);
  });

  it('reads file bodies in bounded chunks with a reader, and passes them through without one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pagi-kit-'));
    const file = join(dir, 'f.txt');
    await writeFile(file, 'x'.repeat(150_000));
    const app = appSending([
      start(200, []),
      { type: 'http.response.body', file, offset: 10, length: 140_000 },
    ]);
    const rec = recorder();
    await transformBody(
      app,
      httpScope(),
      noReceive,
      rec.send,
      (headers) => ({ headers, transform: upper() }),
      {
        readFile: readFileBody,
      },
    );
    const bodies = rec.events.filter((e) => e.type === 'http.response.body');
    expect(bodyText(rec.events)).toBe('X'.repeat(140_000));
    expect(bodies.length).toBe(4); // 64 KiB, 64 KiB, the rest, the final empty chunk
    const plain = recorder();
    await transformBody(app, httpScope(), noReceive, plain.send, () => {
      throw new Error('begin called');
    });
    expect(plain.events[1]).toMatchObject({ file, offset: 10 });
  });
});

describe('bufferBody', () => {
  const tag = (s: { status: number; headers?: [string, string][] }, body: Uint8Array) => ({
    status: s.status,
    headers: setHeader(s.headers ?? [], 'etag', `"${body.byteLength}"`),
    body,
  });

  it('replaces a body that fits the limit with the finished response (status kept)', async () => {
    const rec = recorder();
    const app = appSending([
      start(201, []),
      { type: 'http.response.body', body: 'ab', more: true },
      { type: 'http.response.body', body: 'c' },
    ]);
    await bufferBody(app, httpScope(), noReceive, rec.send, { limit: 10 }, tag);
    expect(rec.events[0]).toMatchObject({ status: 201, headers: [['etag', '"3"']] });
    expect(bodyText(rec.events)).toBe('abc');
  });

  it('a start it holds back returns SETTLED (the caller may send the body at once)', async () => {
    let held: unknown;
    const app = async (_scope: unknown, _receive: unknown, send: (event: unknown) => Promise<void>) => {
      held = send(start(200, []));
      await held;
      await send({ type: 'http.response.body', body: 'x' });
    };
    const rec = recorder();
    await bufferBody(app as never, httpScope(), noReceive, rec.send, { limit: 10 }, tag);
    expect(held).toBe(SETTLED);
    expect(bodyText(rec.events)).toBe('x');
  });

  it('its send never throws: an error becomes a rejected promise (protocol.md §1.4)', async () => {
    const boom = new Error('skip failed');
    let result: unknown;
    const app = async (_scope: unknown, _receive: unknown, send: (event: unknown) => Promise<void>) => {
      result = send(start(200, []));
      await (result as Promise<void>).catch(() => {});
    };
    const skip = () => {
      throw boom;
    };
    await bufferBody(app as never, httpScope(), noReceive, recorder().send, { limit: 10, skip }, tag);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toBe(boom);
  });

  it('keepString: a string body in one event reaches finish as that string, its UTF-8 length against the limit', async () => {
    const seen: unknown[] = [];
    const keep = (s: { status: number; headers?: [string, string][] }, body: Uint8Array | string) => {
      seen.push(body);
      return { status: s.status, headers: s.headers ?? [], body };
    };
    // 'é' is 2 bytes and '😀' (a surrogate pair) 4: 1 + 2 + 4 = 7 bytes in 4 code units.
    const text = 'aé😀';
    // 12: 4 code units of at most 3 bytes each fit without counting; 7 and 6 are counted.
    for (const [limit, held] of [
      [12, true],
      [7, true],
      [6, false],
    ] as const) {
      seen.length = 0;
      const rec = recorder();
      const app = appSending([start(200, []), { type: 'http.response.body', body: text }]);
      await bufferBody(app, httpScope(), noReceive, rec.send, { limit, keepString: true }, keep);
      expect(seen).toEqual(held ? [text] : []);
      expect(bodyText(rec.events)).toBe(text);
    }
    // A lone surrogate counts the 3 bytes of its U+FFFD replacement.
    seen.length = 0;
    await bufferBody(
      appSending([start(200, []), { type: 'http.response.body', body: '\ud800' }]),
      httpScope(),
      noReceive,
      recorder().send,
      { limit: 2, keepString: true },
      keep,
    );
    expect(seen).toEqual([]);
    // Strings in several events are still joined as bytes.
    seen.length = 0;
    const parts = appSending([
      start(200, []),
      { type: 'http.response.body', body: 'ab', more: true },
      { type: 'http.response.body', body: 'c' },
    ]);
    await bufferBody(parts, httpScope(), noReceive, recorder().send, { limit: 10, keepString: true }, keep);
    expect(seen).toEqual([new TextEncoder().encode('abc')]);
  });

  it('streams on unchanged above the limit, held chunks first, each send awaited', async () => {
    const rec = recorder(true);
    const app = appSending([
      start(200, []),
      { type: 'http.response.body', body: 'ab', more: true },
      { type: 'http.response.body', body: 'cd', more: true },
      { type: 'http.response.body', body: 'e' },
    ]);
    const done = bufferBody(app, httpScope(), noReceive, rec.send, { limit: 3 }, tag);
    await rec.pump(done);
    await done;
    expect(rec.maxInFlight).toBe(1);
    expect(rec.events[0]).toEqual(start(200, []));
    expect(rec.events.slice(1).map((e) => (e as { body: unknown }).body)).toEqual([
      new TextEncoder().encode('ab'),
      'cd',
      'e',
    ]);
  });

  it('a body in one event: the finished start is awaited before the body; errors reject that send', async () => {
    const rec = recorder(true);
    const app = appSending([start(200, []), { type: 'http.response.body', body: new Uint8Array([1, 2]) }]);
    const done = bufferBody(app, httpScope(), noReceive, rec.send, { limit: 10 }, tag);
    await rec.pump(done);
    await done;
    expect(rec.maxInFlight).toBe(1);
    expect(rec.events).toEqual([
      { type: 'http.response.start', status: 200, headers: [['etag', '"2"']], trailers: undefined },
      { type: 'http.response.body', body: new Uint8Array([1, 2]) },
    ]);
    // A start the inner send refuses: the body is never sent, and the app's send rejects.
    const refused = new Error('refused');
    const sent: string[] = [];
    const refusing = async (event: { type: string }) => {
      sent.push(event.type);
      if (event.type === 'http.response.start') throw refused;
    };
    await expect(bufferBody(app, httpScope(), noReceive, refusing as never, { limit: 10 }, tag)).rejects.toBe(
      refused,
    );
    expect(sent).toEqual(['http.response.start']);
    // A `finish` that throws: a rejection of that send, nothing sent.
    const broken = () => {
      throw refused;
    };
    const none = recorder();
    await expect(bufferBody(app, httpScope(), noReceive, none.send, { limit: 10 }, broken)).rejects.toBe(
      refused,
    );
    expect(none.events).toEqual([]);
  });

  it('an app that throws before returning a promise: a rejection, not a throw', async () => {
    const boom = new Error('sync');
    const app = () => {
      throw boom;
    };
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = bufferBody(app as never, httpScope(), noReceive, recorder().send, { limit: 10 }, tag);
    }).not.toThrow();
    await expect(result).rejects.toBe(boom);
  });

  it('does not hold a response `skip` returns true for', async () => {
    const rec = recorder();
    const app = appSending([start(200, [['etag', '"x"']]), { type: 'http.response.body', body: 'ab' }]);
    const skip = (s: { headers?: [string, string][] }) => (s.headers ?? []).some(([n]) => n === 'etag');
    await bufferBody(app, httpScope(), noReceive, rec.send, { limit: 10, skip }, tag);
    expect(rec.events).toEqual([start(200, [['etag', '"x"']]), { type: 'http.response.body', body: 'ab' }]);
  });

  it('lets `onFile` edit the headers of a file body, which goes out unread', async () => {
    const rec = recorder();
    const file = { type: 'http.response.body' as const, file: '/not/read', offset: 2 };
    const app = appSending([start(200, []), file]);
    const onFile = async (_s: unknown, e: { file?: string }) => [['x-file', e.file!]] as [string, string][];
    await bufferBody(app, httpScope(), noReceive, rec.send, { limit: 10, onFile }, tag);
    expect(rec.events).toEqual([start(200, [['x-file', '/not/read']]), file]);
  });
});

describe('readBody', () => {
  const chunk = (body: string, more: boolean) => ({
    type: 'http.request' as const,
    body: new TextEncoder().encode(body),
    more,
  });

  it('reads the body and replays it once, then defers to the original receive (D-7, D-15)', async () => {
    const { receive, calls } = scripted([chunk('ab', true), chunk('c', false), { type: 'http.disconnect' }]);
    const read = await readBody(httpScope(), receive, { limit: 10 });
    expect(Buffer.from(read.body).toString()).toBe('abc');
    const [a, b] = await Promise.all([read.receive(), read.receive()]);
    expect(a).toMatchObject({ type: 'http.request', more: false });
    expect(b).toEqual({ type: 'http.disconnect' });
    expect(calls.count).toBe(3);
  });

  it('throws a 413 HttpError as soon as the limit is passed, without reading the rest', async () => {
    const { receive, calls } = scripted([chunk('abcd', true), chunk('efgh', true), chunk('ij', false)]);
    const error = await readBody(httpScope(), receive, { limit: 6 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(413);
    expect(calls.count).toBe(2);
    const announced = scripted([chunk('x', false)]);
    const scope = { ...httpScope(), headers: [['content-length', '100']] as [string, string][] };
    await expect(readBody(scope, announced.receive, { limit: 6 })).rejects.toMatchObject({ status: 413 });
    expect(announced.calls.count).toBe(0);
  });
});

describe('statFileBody', () => {
  it('stats a file path, a FileHandle and an fd without reading; undefined when it cannot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stat-'));
    const path = join(dir, 'f');
    await writeFile(path, 'abc');
    expect((await statFileBody({ type: 'http.response.body', file: path }))?.size).toBe(3);
    const { open } = await import('node:fs/promises');
    const handle = await open(path, 'r');
    try {
      expect((await statFileBody({ type: 'http.response.body', fh: handle }))?.size).toBe(3);
      expect((await statFileBody({ type: 'http.response.body', fh: handle.fd }))?.size).toBe(3);
    } finally {
      await handle.close();
    }
    expect(await statFileBody({ type: 'http.response.body', file: join(dir, 'nope') })).toBeUndefined();
    expect(await statFileBody({ type: 'http.response.body', file: dir })).toBeUndefined();
  });
});
