import type { App, HeaderList, HttpScope, Middleware, SendEvent } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { MIDDLEWARE_CHECKS, checkMiddleware, runMiddlewareCheck, runMiddlewareChecks } from '../src/index.js';

/** A good middleware: adds a response header on HTTP by wrapping send; passes the rest through. */
const addHeader: Middleware = (app) =>
  async function addHeader(scope, receive, send) {
    if (scope.type !== 'http') return app(scope, receive, send);
    return app(scope, receive, async (event) => {
      if (event.type === 'http.response.start') {
        const headers: HeaderList = [...(event.headers ?? []), ['x-added', '1']];
        return send({ ...event, headers });
      }
      return send(event);
    });
  };

/** Good too: hands the inner app a changed copy of the scope. */
const copiesScope: Middleware = (app) =>
  async function copiesScope(scope, receive, send) {
    if (scope.type !== 'http') return app(scope, receive, send);
    const copy: HttpScope = { ...scope, headers: [...scope.headers, ['x-seen', '1']] };
    return app(copy, receive, send);
  };

/** Bad: pushes a header into the caller's scope. */
const mutatesScope: Middleware = (app) => async (scope, receive, send) => {
  if (scope.type === 'http') scope.headers.push(['x-user', 'ann']);
  return app(scope, receive, send);
};

/** Bad: collects the whole body and sends it in one piece (BaseHTTPMiddleware style). */
const buffersBody: Middleware = (app) => async (scope, receive, send) => {
  if (scope.type !== 'http') return app(scope, receive, send);
  const held: SendEvent[] = [];
  const parts: Uint8Array[] = [];
  await app(scope, receive, async (event) => {
    if (event.type === 'http.response.body') parts.push(Buffer.from(event.body ?? ''));
    else held.push(event);
  });
  for (const ev of held) await send(ev);
  await send({ type: 'http.response.body', body: Buffer.concat(parts) });
};

/** Bad: answers lifespan itself and never tells the app. */
const swallowsLifespan: Middleware = (app) => async (scope, receive, send) => {
  if (scope.type !== 'lifespan') return app(scope, receive, send);
  while (true) {
    const ev = await receive();
    if (ev.type === 'lifespan.startup') await send({ type: 'lifespan.startup.complete' });
    else return send({ type: 'lifespan.shutdown.complete' });
  }
};

/** Bad: adds a header to every scope type, including those it claims not to handle. */
const touchesWebSocket: Middleware = (app) => async (scope, receive, send) => {
  if (scope.type === 'lifespan') return app(scope, receive, send);
  return app({ ...scope, headers: [...scope.headers, ['x-tag', '1']] } as typeof scope, receive, send);
};

/** Bad: sends a body event after the final one on HTTP. */
const breaksProtocol: Middleware = (app) => async (scope, receive, send) => {
  if (scope.type !== 'http') return app(scope, receive, send);
  await app(scope, receive, send);
  await send({ type: 'http.response.body', body: 'late' });
};

async function failures(mw: Middleware, options = {}) {
  return (await runMiddlewareChecks(mw, options)).filter((r) => !r.ok);
}

describe('shared middleware checks', () => {
  it('pass for a well-behaved middleware, and for the identity', async () => {
    await expect(checkMiddleware(addHeader)).resolves.toBeUndefined();
    await expect(checkMiddleware(copiesScope)).resolves.toBeUndefined();
    await expect(checkMiddleware((app: App) => app)).resolves.toBeUndefined();
    const results = await runMiddlewareChecks(addHeader);
    expect(results.map((r) => r.name)).toEqual([...MIDDLEWARE_CHECKS]);
  });

  it('catch a middleware that mutates the caller scope', async () => {
    const failed = await failures(mutatesScope);
    expect(failed.map((f) => f.name)).toEqual(['scope-not-mutated']);
    expect(failed[0]?.message).toMatch(
      /expected the caller's http scope unchanged \(copy it before changing it\), got scope.headers: expected 1 entries .*, got 2/,
    );
  });

  it('catch a middleware that buffers the response body', async () => {
    const failed = await failures(buffersBody);
    expect(failed.map((f) => f.name)).toEqual(['body-streamed']);
    expect(failed[0]?.message).toMatch(
      /expected the first body chunk to reach the client before the inner app sent its last one .*\(the middleware buffers the response body; 1 chunk\(s\) arrived/,
    );
  });

  it('catch a middleware that swallows lifespan', async () => {
    const failed = await failures(swallowsLifespan);
    expect(failed.map((f) => f.name)).toEqual(['lifespan-passthrough']);
    expect(failed[0]?.message).toBe(
      'expected the lifespan scope to reach the inner app, got no call (the middleware swallows lifespan)',
    );
    // A middleware that owns lifespan says so.
    expect(await failures(swallowsLifespan, { handles: ['http', 'lifespan'] })).toEqual([]);
  });

  it('catch a middleware that touches scope types it does not handle', async () => {
    const failed = await failures(touchesWebSocket);
    expect(failed.map((f) => f.name)).toEqual(['unhandled-scopes-passthrough']);
    expect(failed[0]?.message).toMatch(
      /expected the inner app to get the caller's websocket scope untouched, got scope.headers: expected 5 entries .*"x-tag"/,
    );
    expect(await failures(touchesWebSocket, { handles: ['http', 'websocket', 'sse'] })).toEqual([]);
  });

  it('catch a send the protocol validator rejects', async () => {
    const failed = await failures(breaksProtocol);
    expect(failed.map((f) => f.name)).toContain('send-validator');
    const message = failed.find((f) => f.name === 'send-validator')?.message;
    expect(message).toMatch(
      /expected every send\(\) of GET \/ to pass the protocol validator .*got PAGI_ERR_STATE/,
    );
  });

  it('checkMiddleware throws one error listing every failure; skip leaves checks out', async () => {
    const both: Middleware = (app) => mutatesScope(buffersBody(app));
    const error = await checkMiddleware(both).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAGI_ERR_TEST_MIDDLEWARE_CHECK' });
    expect((error as Error).message).toMatch(
      /failed 2 shared check\(s\):\n- scope-not-mutated: .*\n- body-streamed: /,
    );
    await expect(
      checkMiddleware(both, { skip: ['scope-not-mutated', 'body-streamed'] }),
    ).resolves.toBeUndefined();
    expect(await runMiddlewareCheck('body-streamed', addHeader)).toEqual({
      name: 'body-streamed',
      ok: true,
      message: '',
    });
  });

  it('say so when the probe request never reaches the inner app', async () => {
    const guard: Middleware = (app) => async (scope, receive, send) => {
      if (scope.type !== 'http' || scope.headers.some(([n]) => n === 'authorization'))
        return app(scope, receive, send);
      await send({ type: 'http.response.start', status: 401 });
      await send({ type: 'http.response.body' });
    };
    const result = await runMiddlewareCheck('body-streamed', guard);
    expect(result.message).toMatch(
      /expected GET \/ to reach the inner app, got no call \(set options.request/,
    );
    await expect(
      checkMiddleware(guard, { request: { headers: { authorization: 'Bearer x' } } }),
    ).resolves.toBeUndefined();
  });
});
