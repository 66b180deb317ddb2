// The small middleware building blocks: define, when, mount, editHeaders, scopeKey, respond,
// readBody. Exact names, events and errors, found missing by mutation testing.
import { describe, expect, it, vi } from 'vitest';
import type { App, HttpScope, Scope, SendEvent } from '../../src/index.js';
import {
  defineMiddleware,
  editHeaders,
  HttpError,
  mount,
  readBody,
  respond,
  ScopeKey,
  scopeKey,
  when,
  withKey,
} from '../../src/middleware/index.js';
import { expectPagiError, VALIDATION } from '../fixtures/expect-error.js';
import { denialScope, httpScope, lifespanScope, sseScope, webSocketScope } from '../fixtures/scopes.js';
import { scripted } from '../middleware/support.js';

// A mutant that leaves a promise pending should fail fast, not tie up a mutation runner.
vi.setConfig({ testTimeout: 2000 });

const noop = async () => ({ type: 'http.disconnect' as const });
const nosend = async () => {};

function tagging(log: string[]): App {
  return async (scope) => {
    log.push(`inner:${scope.type}`);
  };
}

describe('defineMiddleware', () => {
  const scopes: Scope[] = [httpScope(), webSocketScope(), sseScope(), lifespanScope()];

  it('routes each scope type to its own handler only', async () => {
    for (const only of ['http', 'websocket', 'sse', 'lifespan'] as const) {
      const log: string[] = [];
      const mw = defineMiddleware('m', {
        [only]: async (scope: Scope, _r: unknown, _s: unknown, app: App) => {
          log.push(`handler:${scope.type}`);
          await app(scope, noop as never, nosend);
        },
      });
      const app = mw(tagging(log));
      for (const scope of scopes) await app(scope, noop as never, nosend);
      expect(log).toEqual([
        ...scopes.flatMap((s) =>
          s.type === only ? [`handler:${s.type}`, `inner:${s.type}`] : [`inner:${s.type}`],
        ),
      ]);
    }
  });

  it('names both the middleware and the app it returns', () => {
    const mw = defineMiddleware('cors', {});
    expect(mw.name).toBe('cors');
    expect(mw(async () => {}).name).toBe('cors');
  });
});

describe('when', () => {
  it('applies the middleware only where the predicate holds, and names itself', async () => {
    const log: string[] = [];
    const mw = defineMiddleware('tag', {
      http: async (scope, receive, send, app) => {
        log.push('tag');
        await app(scope, receive, send);
      },
    });
    const w = when((scope) => scope.type === 'http' && scope.path === '/a', mw);
    expect(w.name).toBe('when(tag)');
    const app = w(tagging(log));
    expect(app.name).toBe('when(tag)');
    await app({ ...httpScope(), path: '/a' }, noop as never, nosend);
    await app({ ...httpScope(), path: '/b' }, noop as never, nosend);
    expect(log).toEqual(['tag', 'inner:http', 'inner:http']);
  });

  it('calls an anonymous middleware "middleware"', () => {
    const anon = [(app: App) => app][0]!;
    Object.defineProperty(anon, 'name', { value: '' });
    expect(when(() => true, anon).name).toBe('when(middleware)');
  });
});

describe('mount', () => {
  function seen() {
    const log: string[] = [];
    const target: App = async (scope) => {
      if (scope.type !== 'lifespan') log.push(`target ${scope.root_path} ${scope.path}`);
    };
    const fallback: App = async (scope) => {
      log.push(scope.type === 'lifespan' ? 'fallback lifespan' : `fallback ${scope.root_path} ${scope.path}`);
    };
    return { log, target, fallback };
  }
  const at = (path: string, root_path = ''): HttpScope => ({ ...httpScope(), path, root_path });

  it('matches the prefix on segment boundaries and extends root_path', async () => {
    const { log, target, fallback } = seen();
    const app = mount('/api/', target)(fallback);
    expect(app.name).toBe('mount(/api)');
    for (const p of ['/api', '/api/', '/api/x', '/apix', '/ap', '/']) await app(at(p), noop as never, nosend);
    await app(at('/v1/api/x', '/v1/'), noop as never, nosend);
    await app(at('/v1/api/x', '/v1'), noop as never, nosend);
    await app(lifespanScope(), noop as never, nosend);
    expect(log).toEqual([
      'target /api /api',
      'target /api /api/',
      'target /api /api/x',
      'fallback  /apix',
      'fallback  /ap',
      'fallback  /',
      'target /v1/api /v1/api/x',
      'target /v1/api /v1/api/x',
      'fallback lifespan',
    ]);
  });

  it("mounted at '/' takes everything and is named mount(/)", async () => {
    const { log, target, fallback } = seen();
    const mw = mount('///', target);
    expect(mw.name).toBe('mount(/)');
    await mw(fallback)(at('/x'), noop as never, nosend);
    expect(log).toEqual(['target  /x']);
  });

  it('refuses a prefix without a leading slash or a non-function target', () => {
    expectPagiError(
      () => mount('api', async () => {}),
      VALIDATION,
      `mount() expected a prefix starting with '/', got "api"`,
    );
    expectPagiError(() => mount(7 as never, async () => {}), VALIDATION, /got 7/);
    expectPagiError(
      () => mount('/a', 'x' as never),
      VALIDATION,
      'mount() expected an app function, got string',
    );
  });
});

describe('editHeaders', () => {
  it('edits every kind of start event and nothing else', async () => {
    const sent: { type: string; headers?: unknown }[] = [];
    const send = editHeaders(
      async (e: { type: string; headers?: unknown }) => {
        sent.push(e);
      },
      (headers, start) => [...headers, ['x-t', start.type]],
    );
    for (const type of [
      'http.response.start',
      'sse.start',
      'sse.http.response.start',
      'websocket.accept',
      'websocket.http.response.start',
    ]) {
      await send({ type });
    }
    await send({ type: 'http.response.body' });
    expect(sent.map((e) => e.headers)).toEqual([
      [['x-t', 'http.response.start']],
      [['x-t', 'sse.start']],
      [['x-t', 'sse.http.response.start']],
      [['x-t', 'websocket.accept']],
      [['x-t', 'websocket.http.response.start']],
      undefined,
    ]);
  });

  it('passes the same event object on when edit returns undefined', async () => {
    const sent: unknown[] = [];
    const event = { type: 'http.response.start', status: 200, headers: [['a', '1']] };
    const seen: unknown[] = [];
    await editHeaders(
      async (e: unknown) => {
        sent.push(e);
      },
      (headers) => {
        seen.push(headers);
        return undefined;
      },
    )(event);
    expect(sent[0]).toBe(event);
    expect(seen).toEqual([[['a', '1']]]);
  });
});

describe('scopeKey', () => {
  it('refuses an empty or non-string name', () => {
    expectPagiError(() => new ScopeKey(''), VALIDATION, 'scopeKey() expected a non-empty name, got ""');
    expectPagiError(() => new ScopeKey(3 as never), VALIDATION, /got 3/);
    expect(new ScopeKey('k').name).toBe('k');
  });

  it('finds the innermost value, falls back to the plain slot, has/require agree', () => {
    const a = scopeKey<number>('mut.a');
    const b = scopeKey<number>('mut.b');
    expect(scopeKey('mut.a')).toBe(a);
    const base = { 'mut.b': 5 };
    const s1 = withKey(base, a, 1);
    const s2 = withKey(s1, a, 2);
    expect(a.get(s2)).toBe(2);
    expect(a.get(s1)).toBe(1);
    expect(b.get(s2)).toBe(5);
    expect(b.has(s2)).toBe(true);
    expect(a.has(base)).toBe(false);
    expect(a.has(withKey(base, a, 0))).toBe(true);
    expect(a.require(s2)).toBe(2);
    expect(() => a.require(base)).toThrow("expected scope key 'mut.a' to be set by an outer middleware");
    const s3 = withKey(withKey({}, b, 7), a, 9);
    expect(b.get(s3)).toBe(7);
    expect(a.get(s3)).toBe(9);
    expect((base as Record<string, unknown>)['pagi.keys']).toBeUndefined();
    expect((s1 as Record<string, unknown>)['pagi.keys']).toEqual({ key: a, value: 1, next: null });
  });
});

describe('respond', () => {
  async function events(scope: Parameters<typeof respond>[0], ...args: [number | HttpError, object?]) {
    const out: SendEvent[] = [];
    await respond(scope, (async (e: SendEvent) => void out.push(e)) as never, args[0], args[1]);
    return out;
  }

  it('answers an HttpError-like object by its status', async () => {
    const like = { status: 418, detail: 'teapot', headers: undefined };
    const out = await events(httpScope(), like as unknown as HttpError);
    expect(out[0]).toEqual({
      type: 'http.response.start',
      status: 418,
      headers: [
        ['content-type', 'text/plain; charset=utf-8'],
        ['content-length', '6'],
      ],
    });
  });

  it('refuses anything else, naming its type', async () => {
    await expect(events(httpScope(), 'x' as never)).rejects.toThrow(
      'respond() expected a status number or an HttpError, got string',
    );
    await expect(events(httpScope(), null as never)).rejects.toThrow('got object');
    await expect(events(lifespanScope() as never, 200)).rejects.toThrow(
      "respond() expected an http, websocket or sse scope, got 'lifespan'",
    );
  });

  it('leaves out content-length on 204 and 304, keeps a given content-type, uses contentType', async () => {
    expect((await events(httpScope(), 204))[0]).toMatchObject({ headers: [] });
    expect((await events(httpScope(), 304))[0]).toMatchObject({ headers: [] });
    expect((await events(httpScope(), 200, { body: 'x', contentType: 'text/html' }))[0]).toMatchObject({
      headers: [
        ['content-type', 'text/html'],
        ['content-length', '1'],
      ],
    });
    expect(
      (
        await events(httpScope(), 200, {
          body: 'x',
          headers: { 'Content-Type': 'a/b', 'content-length': '1' },
        })
      )[0],
    ).toMatchObject({
      headers: [
        ['content-type', 'a/b'],
        ['content-length', '1'],
      ],
    });
    expect((await events(httpScope(), 200))[0]).toMatchObject({ headers: [['content-length', '0']] });
  });

  it('uses the SSE and WebSocket denial vocabularies, or closes', async () => {
    expect((await events(sseScope(), 403)).map((e) => e.type)).toEqual([
      'sse.http.response.start',
      'sse.http.response.body',
    ]);
    expect((await events(denialScope(), 403)).map((e) => e.type)).toEqual([
      'websocket.http.response.start',
      'websocket.http.response.body',
    ]);
    expect(await events(webSocketScope(), 403)).toEqual([{ type: 'websocket.close' }]);
  });
});

describe('readBody', () => {
  const chunk = (s: string, more: boolean) => ({ type: 'http.request' as const, body: Buffer.from(s), more });
  const scopeWith = (cl?: string): HttpScope => ({
    ...httpScope(),
    headers: cl === undefined ? [] : [['content-length', cl]],
  });

  it('refuses a negative, fractional or unsafe limit, accepts 0', async () => {
    for (const limit of [-1, 1.5, Number.NaN, 2 ** 60]) {
      await expect(readBody(scopeWith(), scripted([chunk('', false)]).receive, { limit })).rejects.toThrow(
        `readBody() expected limit to be a whole number ≥ 0, got ${limit}`,
      );
    }
    const r = await readBody(scopeWith(), scripted([chunk('', false)]).receive, { limit: 0 });
    expect(r.body.byteLength).toBe(0);
  });

  it('refuses a declared content-length over the limit before reading; exactly the limit is fine', async () => {
    const over = scripted([chunk('abc', false)]);
    const error = await readBody(scopeWith('4'), over.receive, { limit: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(413);
    expect((error as HttpError).detail).toBe('request body larger than 3 bytes');
    expect(over.calls.count).toBe(0);
    const exact = await readBody(scopeWith('3'), scripted([chunk('abc', false)]).receive, { limit: 3 });
    expect(Buffer.from(exact.body).toString()).toBe('abc');
    // A malformed length is left to the reading loop.
    for (const cl of ['4x', 'x4', '']) {
      const r = await readBody(scopeWith(cl), scripted([chunk('ab', false)]).receive, { limit: 3 });
      expect(Buffer.from(r.body).toString()).toBe('ab');
    }
  });

  it('counts streamed bytes: exactly the limit passes, one more is a 413', async () => {
    const ok = await readBody(
      scopeWith(),
      scripted([chunk('ab', true), chunk('', true), chunk('c', false)]).receive,
      {
        limit: 3,
      },
    );
    expect(Buffer.from(ok.body).toString()).toBe('abc');
    expect(ok.disconnected).toBe(false);
    await expect(
      readBody(scopeWith(), scripted([chunk('ab', true), chunk('cd', false)]).receive, { limit: 3 }),
    ).rejects.toBeInstanceOf(HttpError);
  });

  it('stops at a disconnect and replays it', async () => {
    const r = await readBody(
      scopeWith(),
      scripted([chunk('a', true), { type: 'http.disconnect' as const }]).receive,
      {
        limit: 10,
      },
    );
    expect(r.disconnected).toBe(true);
    expect(Buffer.from(r.body).toString()).toBe('a');
    expect(await r.receive()).toEqual({ type: 'http.disconnect' });
    const body = await readBody(scopeWith(), scripted([chunk('a', false)]).receive, { limit: 10 });
    expect(await body.receive()).toEqual({ type: 'http.request', body: body.body, more: false });
  });
});
