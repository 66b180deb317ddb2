// transformBody, bufferBody, readFileBody and isUntransformable: exact event sequences.
import { mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { HttpResponseStartEvent, HttpScope, ProtocolApp, SendEvent } from '../../src/index.js';
import {
  type BodyTransform,
  bufferBody,
  isUntransformable,
  transformBody,
} from '../../src/middleware/index.js';
import { FILE_CHUNK_SIZE, readFileBody } from '../../src/middleware/node.js';
import { httpScope } from '../fixtures/scopes.js';

// A mutant that leaves a promise pending should fail fast, not tie up a mutation runner.
vi.setConfig({ testTimeout: 2000 });

const noReceive = async () => ({ type: 'http.disconnect' as const });
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: unknown) => (typeof b === 'string' ? b : Buffer.from(b as Uint8Array).toString('latin1'));

function collect() {
  const events: SendEvent<'http'>[] = [];
  const send = async (e: SendEvent<'http'>) => {
    events.push(e);
  };
  return { events, send };
}

/** Shows events compactly: type, status or body text, more. */
function show(events: SendEvent<'http'>[]): string[] {
  return events.map((e) => {
    if (e.type === 'http.response.start') return `start ${e.status} ${JSON.stringify(e.headers ?? null)}`;
    if (e.type === 'http.response.body') {
      const b = e as { body?: unknown; file?: string; more?: boolean };
      const what = b.file !== undefined ? `file:${b.file}` : b.body === undefined ? '-' : text(b.body);
      return `body ${what}${b.more === true ? ' more' : ''}`;
    }
    return e.type;
  });
}

function appSending(events: SendEvent<'http'>[], end?: () => void): ProtocolApp<'http'> {
  return async (_scope, _receive, send) => {
    for (const e of events) await send(e);
    end?.();
  };
}

const start = (
  status = 200,
  headers: [string, string][] = [['content-length', '3']],
): HttpResponseStartEvent => ({
  type: 'http.response.start',
  status,
  headers,
});

/** Copies input through, logging calls; `empty` makes write/flush/end also give empty chunks. */
function echo(log: string[], empty = false): BodyTransform {
  return {
    write(chunk) {
      log.push(`write ${text(chunk)}`);
      return empty ? [new Uint8Array(0), chunk] : chunk;
    },
    flush() {
      log.push('flush');
      return empty ? new Uint8Array(0) : [enc('F')];
    },
    end() {
      log.push('end');
      return empty ? [new Uint8Array(0)] : enc('E');
    },
    destroy() {
      log.push('destroy');
    },
  };
}

describe('transformBody (exact sequences)', () => {
  it('drops content-length from the new headers, skips empty chunks both ways', async () => {
    const log: string[] = [];
    const out = collect();
    const app = appSending([
      start(200, [
        ['content-length', '3'],
        ['x-a', '1'],
      ]),
      { type: 'http.response.body', body: '', more: true },
      { type: 'http.response.body', body: 'abc', more: true },
      { type: 'http.response.body', body: '' },
    ]);
    await transformBody(app, httpScope(), noReceive, out.send, (headers) => ({
      headers,
      transform: echo(log, true),
    }));
    expect(show(out.events)).toEqual(['start 200 [["x-a","1"]]', 'body abc more', 'body -']);
    expect(log).toEqual(['write abc', 'end']);
  });

  it('passes begin [] for a start without headers, and sends end() output before the final event', async () => {
    const log: string[] = [];
    const out = collect();
    const seen: unknown[] = [];
    const app = appSending([
      { type: 'http.response.start', status: 200 },
      { type: 'http.response.body', body: 'x' },
    ]);
    await transformBody(app, httpScope(), noReceive, out.send, (headers) => {
      seen.push(headers);
      return { headers, transform: echo(log) };
    });
    expect(seen).toEqual([[]]);
    expect(show(out.events)).toEqual(['start 200 []', 'body x more', 'body E more', 'body -']);
  });

  it('after begin declines, every event passes through unchanged', async () => {
    const out = collect();
    const events: SendEvent<'http'>[] = [
      start(),
      { type: 'http.response.body', body: 'a', more: true },
      { type: 'http.fullflush' },
      { type: 'http.response.body', body: 'b' },
    ];
    let calls = 0;
    await transformBody(appSending(events), httpScope(), noReceive, out.send, () => {
      calls++;
      return undefined;
    });
    expect(calls).toBe(1);
    expect(out.events).toEqual(events);
  });

  it('a skipped response stays passthrough: a later start is not held', async () => {
    const out = collect();
    const events: SendEvent<'http'>[] = [
      start(204, []),
      start(200, []),
      { type: 'http.response.body', body: 'a' },
    ];
    await transformBody(appSending(events), httpScope(), noReceive, out.send, () => {
      throw new Error('begin called');
    });
    expect(out.events).toEqual(events);
  });

  it('a second start while one is held or transforming goes straight to the server', async () => {
    const out = collect();
    const log: string[] = [];
    const events: SendEvent<'http'>[] = [
      start(200, []),
      start(201, []),
      { type: 'http.response.body', body: 'a', more: true },
      start(202, []),
      { type: 'http.response.body', body: 'b' },
    ];
    await transformBody(appSending(events), httpScope(), noReceive, out.send, (headers) => ({
      headers,
      transform: echo(log),
    }));
    expect(show(out.events)).toEqual([
      'start 201 []',
      'start 200 []',
      'body a more',
      'start 202 []',
      'body b more',
      'body E more',
      'body -',
    ]);
  });

  it('trailers or a flush first: begin gets undefined; flush goes through the transform', async () => {
    for (const first of [
      { type: 'http.fullflush' },
      { type: 'http.response.trailers', headers: [] },
    ] as const) {
      const out = collect();
      const log: string[] = [];
      const firsts: unknown[] = [];
      const app = appSending([
        start(200, []),
        first as SendEvent<'http'>,
        { type: 'http.response.body', body: 'a' },
      ]);
      await transformBody(app, httpScope(), noReceive, out.send, (headers, _s, f) => {
        firsts.push(f);
        return { headers, transform: echo(log) };
      });
      expect(firsts).toEqual([undefined]);
      expect(show(out.events)).toEqual(
        first.type === 'http.fullflush'
          ? ['start 200 []', 'body F more', 'http.fullflush', 'body a more', 'body E more', 'body -']
          : ['start 200 []', 'http.response.trailers', 'body a more', 'body E more', 'body -'],
      );
    }
  });

  it('a flush or body after the end is not fed to the transform', async () => {
    const out = collect();
    const log: string[] = [];
    const app = appSending([
      start(200, []),
      { type: 'http.response.body', body: 'a' },
      { type: 'http.fullflush' },
      { type: 'http.response.body', body: 'late' },
    ]);
    await transformBody(app, httpScope(), noReceive, out.send, (headers) => ({
      headers,
      transform: echo(log),
    }));
    expect(log).toEqual(['write a', 'end']);
    expect(show(out.events).slice(-2)).toEqual(['http.fullflush', 'body late']);
  });

  it('a file body without a reader passes through without calling begin', async () => {
    const out = collect();
    const file = { type: 'http.response.body' as const, file: '/nope' };
    await transformBody(appSending([start(200, []), file]), httpScope(), noReceive, out.send, () => {
      throw new Error('begin called');
    });
    expect(out.events).toEqual([start(200, []), file]);
  });

  it('a file body with a reader is transformed chunk by chunk', async () => {
    const out = collect();
    const log: string[] = [];
    const readFile = async function* () {
      yield enc('ab');
      yield enc('cd');
    };
    const app = appSending([start(200, []), { type: 'http.response.body', file: '/x' }]);
    await transformBody(
      app,
      httpScope(),
      noReceive,
      out.send,
      (headers) => ({ headers, transform: echo(log) }),
      {
        readFile,
      },
    );
    expect(log).toEqual(['write ab', 'write cd', 'end']);
    expect(show(out.events)).toEqual([
      'start 200 []',
      'body ab more',
      'body cd more',
      'body E more',
      'body -',
    ]);
  });

  it('destroys once on disconnect; later events go to the server untransformed', async () => {
    let onDisconnect: (() => void) | undefined;
    const scope: HttpScope = {
      ...httpScope(),
      'pagi.connection': {
        is_connected: () => true,
        disconnect_reason: () => undefined,
        on_disconnect: (cb) => {
          onDisconnect = cb as () => void;
        },
        response_started: () => false,
      },
    };
    const out = collect();
    const log: string[] = [];
    const app: ProtocolApp<'http'> = async (_s, _r, send) => {
      await send(start(200, []));
      await send({ type: 'http.response.body', body: 'a', more: true });
      onDisconnect!();
      onDisconnect!();
      await send({ type: 'http.response.body', body: 'b' });
    };
    await transformBody(app, scope, noReceive, out.send, (headers) => ({ headers, transform: echo(log) }));
    expect(log).toEqual(['write a', 'destroy']);
    expect(show(out.events)).toEqual(['start 200 []', 'body a more', 'body b']);
  });

  it('a disconnect after the end destroys nothing', async () => {
    let onDisconnect: (() => void) | undefined;
    const scope: HttpScope = {
      ...httpScope(),
      'pagi.connection': {
        ...httpScope()['pagi.connection'],
        on_disconnect: (cb) => void (onDisconnect = cb as () => void),
      },
    };
    const log: string[] = [];
    const app = appSending([start(200, []), { type: 'http.response.body', body: 'a' }], () =>
      onDisconnect!(),
    );
    await transformBody(app, scope, noReceive, collect().send, (headers) => ({
      headers,
      transform: echo(log),
    }));
    expect(log).toEqual(['write a', 'end']);
  });

  it('an app that returns mid-body destroys the transform; a lone held start is sent', async () => {
    const log: string[] = [];
    const out = collect();
    await transformBody(
      appSending([start(200, []), { type: 'http.response.body', body: 'a', more: true }]),
      httpScope(),
      noReceive,
      out.send,
      (headers) => ({ headers, transform: echo(log) }),
    );
    expect(log).toEqual(['write a', 'destroy']);
    const out2 = collect();
    await transformBody(appSending([start(200, [])]), httpScope(), noReceive, out2.send, () => undefined);
    expect(out2.events).toEqual([start(200, [])]);
  });

  it('an app that throws after a start: the held start is not sent', async () => {
    const out = collect();
    const app: ProtocolApp<'http'> = async (_s, _r, send) => {
      await send(start(200, []));
      throw new Error('boom');
    };
    await expect(transformBody(app, httpScope(), noReceive, out.send, () => undefined)).rejects.toThrow(
      'boom',
    );
    expect(out.events).toEqual([]);
  });

  it('returns what the app returned', async () => {
    const app = (async () => 42) as unknown as ProtocolApp<'http'>;
    expect(await transformBody(app, httpScope(), noReceive, collect().send, () => undefined)).toBe(42);
    expect(
      await bufferBody(app, httpScope(), noReceive, collect().send, { limit: 1 }, () => ({
        status: 200,
        headers: [],
        body: '',
      })),
    ).toBe(42);
  });
});

describe('bufferBody (exact sequences)', () => {
  const finish = (s: HttpResponseStartEvent, body: Uint8Array) => ({
    status: s.status,
    headers: [['x-len', String(body.byteLength)]] as [string, string][],
    body,
  });

  it('refuses a bad limit, naming it', async () => {
    for (const limit of [-1, 0.5, Number.NaN]) {
      await expect(
        bufferBody(appSending([]), httpScope(), noReceive, collect().send, { limit }, finish),
      ).rejects.toThrow(`bufferBody() expected limit to be a whole number ≥ 0, got ${limit}`);
    }
  });

  it('a body of exactly the limit is held; empty chunks are not counted; trailers flag kept', async () => {
    const out = collect();
    const app = appSending([
      { type: 'http.response.start', status: 200, headers: [], trailers: true },
      { type: 'http.response.body', body: '', more: true },
      { type: 'http.response.body', body: 'ab', more: true },
      { type: 'http.response.body', body: 'c' },
    ]);
    await bufferBody(app, httpScope(), noReceive, out.send, { limit: 3 }, finish);
    expect(out.events).toEqual([
      { type: 'http.response.start', status: 200, headers: [['x-len', '3']], trailers: true },
      { type: 'http.response.body', body: enc('abc') },
    ]);
  });

  it('limit 0 holds only an empty body', async () => {
    const out = collect();
    await bufferBody(
      appSending([start(200, []), { type: 'http.response.body' }]),
      httpScope(),
      noReceive,
      out.send,
      { limit: 0 },
      finish,
    );
    expect(show(out.events)).toEqual(['start 200 [["x-len","0"]]', 'body ']);
  });

  it('copies held chunks (the app may reuse its buffer)', async () => {
    const out = collect();
    const buf = enc('ab');
    const app: ProtocolApp<'http'> = async (_s, _r, send) => {
      await send(start(200, []));
      await send({ type: 'http.response.body', body: buf, more: true });
      buf.set(enc('zz'));
      await send({ type: 'http.response.body', body: 'c' });
    };
    await bufferBody(app, httpScope(), noReceive, out.send, { limit: 10 }, finish);
    expect(text((out.events[1] as { body: Uint8Array }).body)).toBe('abc');
  });

  it('a fullflush or trailers releases the held response as it came', async () => {
    for (const ev of [{ type: 'http.fullflush' }, { type: 'http.response.trailers', headers: [] }] as const) {
      const out = collect();
      const app = appSending([
        start(200, []),
        { type: 'http.response.body', body: 'a', more: true },
        ev as SendEvent<'http'>,
        { type: 'http.response.body', body: 'b' },
      ]);
      await bufferBody(app, httpScope(), noReceive, out.send, { limit: 10 }, finish);
      expect(show(out.events)).toEqual(['start 200 []', 'body a more', ev.type, 'body b']);
    }
  });

  it('onFile is only asked for a first body event that is a file; undefined keeps the headers', async () => {
    const calls: string[] = [];
    const onFile = async (_s: HttpResponseStartEvent, e: { file?: string }) => {
      calls.push(e.file!);
      return undefined;
    };
    const out = collect();
    await bufferBody(
      appSending([start(200, [['a', '1']]), { type: 'http.response.body', file: '/f' }]),
      httpScope(),
      noReceive,
      out.send,
      { limit: 10, onFile },
      finish,
    );
    expect(out.events).toEqual([start(200, [['a', '1']]), { type: 'http.response.body', file: '/f' }]);
    const out2 = collect();
    await bufferBody(
      appSending([
        start(200, []),
        { type: 'http.response.body', body: 'a', more: true },
        { type: 'http.response.body', file: '/g' },
      ]),
      httpScope(),
      noReceive,
      out2.send,
      { limit: 10, onFile },
      finish,
    );
    expect(calls).toEqual(['/f']);
    expect(show(out2.events)).toEqual(['start 200 []', 'body a more', 'body file:/g']);
    // A trailers event never reaches onFile either.
    const out3 = collect();
    await bufferBody(
      appSending([start(200, []), { type: 'http.response.trailers', headers: [] }]),
      httpScope(),
      noReceive,
      out3.send,
      { limit: 10, onFile },
      finish,
    );
    expect(calls).toEqual(['/f']);
  });

  it('an fh body is released, not held', async () => {
    const out = collect();
    const fh = { type: 'http.response.body' as const, fh: 3 };
    await bufferBody(
      appSending([start(200, []), fh]),
      httpScope(),
      noReceive,
      out.send,
      { limit: 10 },
      finish,
    );
    expect(out.events).toEqual([start(200, []), fh]);
  });

  it('after finishing or passing through, later events go straight out; a second held start too', async () => {
    const out = collect();
    await bufferBody(
      appSending([
        start(200, []),
        start(201, []),
        { type: 'http.response.body', body: 'a' },
        { type: 'http.fullflush' },
      ]),
      httpScope(),
      noReceive,
      out.send,
      { limit: 10 },
      finish,
    );
    expect(show(out.events)).toEqual([
      'start 201 []',
      'start 200 [["x-len","1"]]',
      'body a',
      'http.fullflush',
    ]);
    const out2 = collect();
    await bufferBody(
      appSending([start(304, []), start(200, []), { type: 'http.response.body', body: 'a' }]),
      httpScope(),
      noReceive,
      out2.send,
      { limit: 10 },
      finish,
    );
    expect(show(out2.events)).toEqual(['start 304 []', 'start 200 []', 'body a']);
  });

  it('a body event before any start goes straight out', async () => {
    const out = collect();
    await bufferBody(
      appSending([{ type: 'http.response.body', body: 'a' }]),
      httpScope(),
      noReceive,
      out.send,
      { limit: 10 },
      finish,
    );
    expect(show(out.events)).toEqual(['body a']);
  });

  it('an app that returns with a held start and chunks releases them; one that throws does not', async () => {
    const out = collect();
    await bufferBody(
      appSending([start(200, []), { type: 'http.response.body', body: 'a', more: true }]),
      httpScope(),
      noReceive,
      out.send,
      { limit: 10 },
      finish,
    );
    expect(show(out.events)).toEqual(['start 200 []', 'body a more']);
    const out2 = collect();
    const app: ProtocolApp<'http'> = async (_s, _r, send) => {
      await send(start(200, []));
      throw new Error('boom');
    };
    await expect(bufferBody(app, httpScope(), noReceive, out2.send, { limit: 10 }, finish)).rejects.toThrow(
      'boom',
    );
    expect(out2.events).toEqual([]);
  });
});

describe('isUntransformable', () => {
  it('HEAD, 1xx, 204, 304, 206 and content-range are untransformable; 200/199 boundaries', () => {
    const s = (status: number, headers?: [string, string][]) => ({
      type: 'http.response.start' as const,
      status,
      headers,
    });
    const get = httpScope();
    expect(isUntransformable({ ...get, method: 'HEAD' }, s(200))).toBe(true);
    expect(isUntransformable(get, s(199))).toBe(true);
    expect(isUntransformable(get, s(200))).toBe(false);
    expect(isUntransformable(get, s(200, []))).toBe(false);
    for (const st of [204, 304, 206]) expect(isUntransformable(get, s(st))).toBe(true);
    expect(isUntransformable(get, s(205))).toBe(false);
    expect(isUntransformable(get, s(200, [['Content-Range', 'bytes 0-1/2']]))).toBe(true);
  });
});

describe('readFileBody', () => {
  it('reads offset/length windows in bounded chunks from a path, an fd and a FileHandle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pagi-mut-'));
    const path = join(dir, 'f.bin');
    const data = Buffer.alloc(FILE_CHUNK_SIZE * 2 + 10);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    await writeFile(path, data);
    const read = async (event: Parameters<typeof readFileBody>[0]) => {
      const sizes: number[] = [];
      const parts: Buffer[] = [];
      for await (const c of readFileBody(event)) {
        sizes.push(c.byteLength);
        parts.push(Buffer.from(c));
      }
      return { sizes, bytes: Buffer.concat(parts) };
    };
    const whole = await read({ type: 'http.response.body', file: path });
    expect(whole.sizes).toEqual([FILE_CHUNK_SIZE, FILE_CHUNK_SIZE, 10]);
    expect(whole.bytes.equals(data)).toBe(true);
    const window = await read({
      type: 'http.response.body',
      file: path,
      offset: 5,
      length: FILE_CHUNK_SIZE + 3,
    });
    expect(window.sizes).toEqual([FILE_CHUNK_SIZE, 3]);
    expect(window.bytes.equals(data.subarray(5, 5 + FILE_CHUNK_SIZE + 3))).toBe(true);
    const tail = await read({ type: 'http.response.body', file: path, offset: data.length - 4, length: 100 });
    expect(tail.bytes.equals(data.subarray(data.length - 4))).toBe(true);
    expect((await read({ type: 'http.response.body', file: path, length: 0 })).sizes).toEqual([]);
    const handle = await open(path, 'r');
    try {
      const viaHandle = await read({ type: 'http.response.body', fh: handle, offset: 1, length: 4 } as never);
      expect(viaHandle.bytes.equals(data.subarray(1, 5))).toBe(true);
      const viaFd = await read({ type: 'http.response.body', fh: handle.fd, offset: 2, length: 3 } as never);
      expect(viaFd.bytes.equals(data.subarray(2, 5))).toBe(true);
      // The app's handle stays open.
      expect((await handle.stat()).size).toBe(data.length);
    } finally {
      await handle.close();
    }
  });
});
