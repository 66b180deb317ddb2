// Second pass over the survivors of the first run with the new tests (docs/mutation-testing.md).
import { readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { HttpResponseStartEvent, HttpScope, ProtocolApp, SendEvent } from '../../src/index.js';
import { AsyncQueue, ifRangeMatches, parseHttpDate, parseRange } from '../../src/index.js';
import {
  type BodyTransform,
  bufferBody,
  named,
  readBody,
  transformBody,
} from '../../src/middleware/index.js';
import { readFileBody } from '../../src/middleware/node.js';
import { httpScope } from '../fixtures/scopes.js';
import { scripted } from '../middleware/support.js';

// A mutant that leaves a promise pending should fail fast, not tie up a mutation runner.
vi.setConfig({ testTimeout: 2000 });

const noReceive = async () => ({ type: 'http.disconnect' as const });
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: unknown) => (typeof b === 'string' ? b : Buffer.from(b as Uint8Array).toString('latin1'));

function collect() {
  const events: SendEvent<'http'>[] = [];
  return {
    events,
    send: async (e: SendEvent<'http'>) => {
      events.push(e);
    },
  };
}

function show(events: SendEvent<'http'>[]): string[] {
  return events.map((e) => {
    if (e.type === 'http.response.start') return `start ${e.status} ${JSON.stringify(e.headers ?? null)}`;
    if (e.type === 'http.response.body') {
      const b = e as { body?: unknown; more?: boolean };
      return `body ${b.body === undefined ? '-' : text(b.body)}${b.more === true ? ' more' : ''}`;
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

const start = (status = 200): HttpResponseStartEvent => ({
  type: 'http.response.start',
  status,
  headers: [],
});

/** Copies input through; no `destroy` unless `log` asks for it. */
function copy(log: string[], withDestroy = true): BodyTransform {
  const t: BodyTransform = {
    write: (c) => {
      log.push(`write ${text(c)}`);
      return c;
    },
    flush: () => undefined,
    end: () => {
      log.push('end');
      return undefined;
    },
  };
  if (withDestroy) t.destroy = () => log.push('destroy');
  return t;
}

describe('AsyncQueue: a timed-out reader in the middle', () => {
  it('leaves exactly its own slot', async () => {
    const q = new AsyncQueue<number>();
    const first = q.next();
    await expect(q.next(10)).rejects.toThrow('timed out');
    q.push(1);
    q.push(2);
    await expect(first).resolves.toEqual({ done: false, value: 1 });
    expect(q.peekAll()).toEqual([2]);
  });
});

describe('transformBody: no start, no connection, no destroy', () => {
  it('body, flush and trailers before any start go straight out', async () => {
    const out = collect();
    const events: SendEvent<'http'>[] = [
      { type: 'http.fullflush' },
      { type: 'http.response.body', body: 'a' },
      { type: 'http.response.trailers', headers: [] },
    ];
    await transformBody(appSending(events), httpScope(), noReceive, out.send, () => {
      throw new Error('begin called');
    });
    expect(out.events).toEqual(events);
  });

  it('trailers after a transformed body do not start a second decision', async () => {
    const out = collect();
    const log: string[] = [];
    let begins = 0;
    await transformBody(
      appSending([
        { type: 'http.response.start', status: 200, headers: [], trailers: true },
        { type: 'http.response.body', body: 'a' },
        { type: 'http.response.trailers', headers: [] },
      ]),
      httpScope(),
      noReceive,
      out.send,
      (headers) => {
        begins++;
        return { headers, transform: copy(log) };
      },
    );
    expect(begins).toBe(1);
    expect(show(out.events)).toEqual(['start 200 []', 'body a more', 'body -', 'http.response.trailers']);
  });

  it('a declined response stays passthrough: a later start is not held, begin runs once', async () => {
    const out = collect();
    let begins = 0;
    const events: SendEvent<'http'>[] = [
      start(200),
      { type: 'http.response.body', body: 'a' },
      start(201),
      { type: 'http.response.body', body: 'b' },
    ];
    await transformBody(appSending(events), httpScope(), noReceive, out.send, () => {
      begins++;
      return undefined;
    });
    expect(begins).toBe(1);
    expect(out.events).toEqual(events);
  });

  it('a start after the transform began is not held for a second decision', async () => {
    const out = collect();
    const log: string[] = [];
    let begins = 0;
    await transformBody(
      appSending([
        start(200),
        { type: 'http.response.body', body: 'a', more: true },
        start(202),
        { type: 'http.response.body', body: 'b' },
      ]),
      httpScope(),
      noReceive,
      out.send,
      (headers) => {
        begins++;
        return { headers, transform: copy(log) };
      },
    );
    expect(begins).toBe(1);
  });

  it('a fh body without a reader passes through untransformed', async () => {
    const out = collect();
    const fh = { type: 'http.response.body' as const, fh: 7 };
    await transformBody(appSending([start(200), fh]), httpScope(), noReceive, out.send, () => {
      throw new Error('begin called');
    });
    expect(out.events).toEqual([start(200), fh]);
  });

  it('works on a scope without pagi.connection and a transform without destroy', async () => {
    const scope = httpScope() as Partial<HttpScope>;
    delete scope['pagi.connection'];
    const log: string[] = [];
    const out = collect();
    await transformBody(
      appSending([start(200), { type: 'http.response.body', body: 'a', more: true }]),
      scope as HttpScope,
      noReceive,
      out.send,
      (headers) => ({ headers, transform: copy(log, false) }),
    );
    expect(log).toEqual(['write a']);
  });

  it('a connection without on_disconnect is fine', async () => {
    const scope = { ...httpScope(), 'pagi.connection': {} } as unknown as HttpScope;
    const log: string[] = [];
    await transformBody(
      appSending([start(200), { type: 'http.response.body', body: 'a' }]),
      scope,
      noReceive,
      collect().send,
      (headers) => ({ headers, transform: copy(log) }),
    );
    expect(log).toEqual(['write a', 'end']);
  });

  it('a disconnect with a transform without destroy; destroy runs once when the app returns early', async () => {
    let onDisconnect: (() => void) | undefined;
    const scope: HttpScope = {
      ...httpScope(),
      'pagi.connection': {
        ...httpScope()['pagi.connection'],
        on_disconnect: (cb) => void (onDisconnect = cb as () => void),
      },
    };
    const log: string[] = [];
    await transformBody(
      appSending([start(200), { type: 'http.response.body', body: 'a', more: true }], () => onDisconnect!()),
      scope,
      noReceive,
      collect().send,
      (headers) => ({ headers, transform: copy(log, false) }),
    );
    expect(log).toEqual(['write a']);
    const log2: string[] = [];
    await transformBody(
      appSending([start(200), { type: 'http.response.body', body: 'a', more: true }]),
      scope,
      noReceive,
      collect().send,
      (headers) => ({ headers, transform: copy(log2) }),
    );
    onDisconnect!();
    expect(log2).toEqual(['write a', 'destroy']);
  });
});

describe('bufferBody: after release or finish, nothing is held again', () => {
  const finish = (s: HttpResponseStartEvent, body: Uint8Array) => ({
    status: s.status,
    headers: [['x-len', String(body.byteLength)]] as [string, string][],
    body,
  });

  it('after an over-limit release, a later start and body pass through', async () => {
    const out = collect();
    await bufferBody(
      appSending([
        start(200),
        { type: 'http.response.body', body: 'abcd', more: true },
        start(201),
        { type: 'http.response.body', body: 'x' },
      ]),
      httpScope(),
      noReceive,
      out.send,
      { limit: 3 },
      finish,
    );
    expect(show(out.events)).toEqual(['start 200 []', 'body abcd more', 'start 201 []', 'body x']);
  });

  it('after a finished response, a later start and body pass through', async () => {
    const out = collect();
    await bufferBody(
      appSending([
        start(200),
        { type: 'http.response.body', body: 'a' },
        start(201),
        { type: 'http.response.body', body: 'b' },
      ]),
      httpScope(),
      noReceive,
      out.send,
      { limit: 3 },
      finish,
    );
    expect(show(out.events)).toEqual(['start 200 [["x-len","1"]]', 'body a', 'start 201 []', 'body b']);
  });
});

describe('readBody: only a plain decimal content-length is trusted early', () => {
  it('reads the body when the declared length is not 1*DIGIT', async () => {
    for (const cl of ['4 ', ' 4', '1e3', '0x10']) {
      const scope: HttpScope = { ...httpScope(), headers: [['content-length', cl]] };
      const r = await readBody(
        scope,
        scripted([{ type: 'http.request' as const, body: enc('ab'), more: false }]).receive,
        {
          limit: 3,
        },
      );
      expect(text(r.body)).toBe('ab');
    }
  });
});

describe('named', () => {
  it('can rename a function twice', () => {
    const f = () => 1;
    named('a', f);
    expect(named('b', f).name).toBe('b');
  });
});

describe('readFileBody closes the file it opened', () => {
  it('leaves no descriptor open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pagi-mut-'));
    const path = join(dir, 'f.txt');
    await writeFile(path, 'hello');
    const before = readdirSync('/proc/self/fd').length;
    const parts: string[] = [];
    for await (const c of readFileBody({ type: 'http.response.body', file: path })) parts.push(text(c));
    expect(parts.join('')).toBe('hello');
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });
});

describe('anchors and single tags', () => {
  it('HTTP-date forms are anchored at both ends', () => {
    for (const v of [
      '1Sun, 06 Nov 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 08:49:37 GMTX',
      '1Sunday, 06-Nov-94 08:49:37 GMT',
      'Sunday, 06-Nov-94 08:49:37 GMTX',
      '1Sun Nov  6 08:49:37 1994',
      'Sun Nov  6 08:49:37 19945',
    ]) {
      expect(parseHttpDate(v)).toBeUndefined();
    }
  });

  it('If-Range takes one entity-tag, not a list', () => {
    expect(ifRangeMatches('"b", "a"', { etag: '"a"' })).toBe(false);
  });

  it('Range: the unit is anchored; whitespace-only members are empty', () => {
    expect(parseRange('X bytes = 0-1', 10)).toBe('ignore');
    expect(parseRange('bytes=0-0, ,5-5', 10)).toEqual([
      { start: 0, end: 0 },
      { start: 5, end: 5 },
    ]);
  });
});

describe('preferredEncoding: identity weighs as the least wanted coding, not the last', () => {
  it('compares against the minimum q', async () => {
    const { preferredEncoding } = await import('../../src/middleware/index.js');
    expect(preferredEncoding('gzip;q=0.5, br;q=0.8', ['gzip', 'identity'])).toBe('gzip');
  });
});
