import { describe, expect, it } from 'vitest';
import type { App, HttpScope, Scope } from '../../src/index.js';
import {
  compose,
  defineMiddleware,
  editHeaders,
  mount,
  scopeKey,
  SCOPE_KEYS_SLOT,
  setHeader,
  when,
  withKey,
} from '../../src/middleware/index.js';
import { httpScope, lifespanScope, webSocketScope } from '../fixtures/scopes.js';
import { recorder } from './support.js';

const seen: Scope[] = [];
const inner: App = async (scope) => {
  seen.push(scope);
};

describe('defineMiddleware', () => {
  it('dispatches on scope.type, passes others through as the same objects, and names its functions', async () => {
    const calls: string[] = [];
    const mw = defineMiddleware('tagger', {
      http: (scope, receive, send, app) => {
        calls.push(`http ${scope.method}`); // narrowed: `method` exists without a cast
        return app(scope, receive, send);
      },
    });
    const app = mw(inner);
    expect(mw.name).toBe('tagger');
    expect(app.name).toBe('tagger');
    const ws = webSocketScope();
    const receive = async () => ({ type: 'websocket.connect' as const });
    const send = async () => {};
    seen.length = 0;
    await app(ws, receive, send);
    await app(lifespanScope(), receive as never, send);
    await app(httpScope(), receive as never, send);
    expect(seen[0]).toBe(ws);
    expect(calls).toEqual(['http GET']);
  });

  it('passes the inner error through unchanged', async () => {
    const boom = new Error('boom');
    const app = defineMiddleware('x', { http: (s, r, se, next) => next(s, r, se) })(async () => {
      throw boom;
    });
    await expect(
      app(
        httpScope(),
        async () => ({ type: 'http.disconnect' }),
        async () => {},
      ),
    ).rejects.toBe(boom);
  });
});

describe('compose, when, mount', () => {
  it('compose(a, b)(app) is a(b(app)); when() applies its middleware once, not per request', async () => {
    let applied = 0;
    const order: string[] = [];
    const tag = (name: string) => () => {
      applied++;
      return defineMiddleware(name, {
        http: (scope, receive, send, app) => {
          order.push(name);
          return app(scope, receive, send);
        },
      });
    };
    const app = compose(
      tag('a')(),
      when((s) => s.type === 'http' && s.path === '/x', tag('b')()),
    )(inner);
    expect(applied).toBe(2);
    const noop = async () => {};
    for (const path of ['/x', '/y', '/x']) await app({ ...httpScope(), path }, noop as never, noop);
    expect(order).toEqual(['a', 'b', 'a', 'a', 'b']);
    expect(applied).toBe(2);
  });

  it('mount() routes a path prefix (not a longer segment) with root_path extended', async () => {
    const got: Scope[] = [];
    const app = mount('/api/', async (scope) => {
      got.push(scope);
    })(inner);
    seen.length = 0;
    const noop = async () => {};
    for (const path of ['/api', '/api/users', '/apix', '/'])
      await app({ ...httpScope(), path }, noop as never, noop);
    expect(got.map((s) => [(s as HttpScope).path, (s as HttpScope).root_path])).toEqual([
      ['/api', '/api'],
      ['/api/users', '/api'],
    ]);
    expect(seen.map((s) => (s as HttpScope).path)).toEqual(['/apix', '/']);
    expect(() => mount('api', inner)).toThrow(/starting with '\/'/);
  });
});

describe('scope keys', () => {
  interface Session {
    id: string;
  }
  const SESSION = scopeKey<Session>('test.session');

  it('flow downward only and survive the next layer’s plain spread (§1.7)', () => {
    const outer = { ...httpScope(), [SCOPE_KEYS_SLOT]: null };
    const mid = withKey(outer, SESSION, { id: 'a' });
    const copied = { ...mid }; // a hand-written pass-through layer
    const deeper = withKey(copied, SESSION, { id: 'b' });
    expect(SESSION.get(outer)).toBeUndefined();
    expect(SESSION.get(copied)?.id).toBe('a');
    expect(SESSION.get(deeper)?.id).toBe('b');
    expect(SESSION.get(mid)?.id).toBe('a');
    expect(Object.keys(mid)).toEqual(Object.keys(outer)); // no key added: the same shape
    expect(outer[SCOPE_KEYS_SLOT]).toBeNull();
  });

  it('are shared by name, read a plain top-level key as a fallback, and require() names the key', () => {
    expect(scopeKey('test.session')).toBe(SESSION);
    expect(SESSION.get({ ...httpScope(), 'test.session': { id: 'plain' } })?.id).toBe('plain');
    expect(() => SESSION.require(httpScope())).toThrow(/'test.session'/);
    expect(() => scopeKey('')).toThrow(/non-empty/);
  });
});

describe('editHeaders', () => {
  it('edits every start event in a new event and forwards the rest', async () => {
    const rec = recorder<'sse'>();
    const send = editHeaders(rec.send, (headers) => setHeader(headers, 'x-a', '1'));
    const start = { type: 'sse.start' as const, headers: [['x-b', '2']] as [string, string][] };
    await send(start);
    await send({ type: 'sse.send', data: 'x' });
    expect(rec.events[0]).toEqual({
      type: 'sse.start',
      headers: [
        ['x-b', '2'],
        ['x-a', '1'],
      ],
    });
    expect(start.headers).toEqual([['x-b', '2']]);
    expect(rec.events[1]).toEqual({ type: 'sse.send', data: 'x' });
  });

  it('hands its third argument to the edit, per wrapped send', async () => {
    const rec = recorder<'http'>();
    const stamp = (headers: [string, string][], _start: unknown, id: string) =>
      setHeader(headers, 'x-id', id);
    await editHeaders(rec.send, stamp, 'a')({ type: 'http.response.start', status: 200 });
    await editHeaders(rec.send, stamp, 'b')({ type: 'http.response.start', status: 200 });
    expect(rec.events.map((e) => (e as { headers: unknown }).headers)).toEqual([
      [['x-id', 'a']],
      [['x-id', 'b']],
    ]);
  });
});
