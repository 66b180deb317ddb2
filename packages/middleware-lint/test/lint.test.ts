import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { lint } from '../src/index.js';

const good: App = async (scope, receive, send) => {
  if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
    await send({ type: 'websocket.send', text: 'hi' });
    return;
  }
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200 });
  await send({ type: 'http.response.body', body: 'ok' });
};

function warnings(): { messages: string[]; logger: (m: string) => void } {
  const messages: string[] = [];
  return { messages, logger: (m) => messages.push(m) };
}

describe('lint', () => {
  it('says nothing about a correct app (http, websocket, lifespan)', async () => {
    const w = warnings();
    const client = new TestClient(lint({ logger: w.logger })(good));
    await client.startup();
    expect((await client.get('/')).text).toBe('ok');
    const ws = await client.websocket('/ws');
    expect(await ws.receiveText()).toBe('hi');
    await client.shutdown();
    expect(w.messages).toEqual([]);
  });

  it('warns about a body before the start and still passes events on (warn mode)', async () => {
    const w = warnings();
    const bad: App = async (_scope, _receive, send) => {
      await send({ type: 'http.response.body', body: 'x' } as never).catch(() => undefined);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'ok' });
    };
    const res = await new TestClient(lint({ logger: w.logger })(bad), { raiseAppErrors: false }).get('/p');
    expect(res.status).toBe(200);
    expect(w.messages).toHaveLength(1);
    expect(w.messages[0]).toMatch(/^\[lint\] http \/p: .*http\.response\.start/);
  });

  it('warns about bad fields: a status out of range, uppercase header names', async () => {
    const w = warnings();
    const bad: App = async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, headers: [['X-Upper', 'v']] }).catch(
        () => undefined,
      );
    };
    await new TestClient(lint({ logger: w.logger })(bad), { raiseAppErrors: false })
      .get('/')
      .catch(() => undefined);
    expect(w.messages.some((m) => /X-Upper|lowercase/i.test(m))).toBe(true);
  });

  it('reports an HTTP response left unfinished, with the await hint', async () => {
    const w = warnings();
    const forgot: App = async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      void send({ type: 'http.response.body', body: 'late', more: true });
    };
    await new TestClient(lint({ logger: w.logger })(forgot), { raiseAppErrors: false })
      .get('/')
      .catch(() => undefined);
    expect(w.messages.at(-1)).toMatch(/complete the HTTP response.*forget to await/);
  });

  it('throw mode: the violating send() rejects and the event never reaches the server', async () => {
    let rejected: unknown;
    const bad: App = async (_scope, _receive, send) => {
      rejected = await send({ type: 'websocket.accept' } as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    };
    const res = await new TestClient(lint({ mode: 'throw' })(bad)).get('/');
    expect(rejected).toMatchObject({ code: expect.stringMatching(/^PAGI_ERR_/) });
    expect(res.status).toBe(204);
    expect(res.events.map((e) => (e as { type: string }).type)).toEqual([
      'http.response.start',
      'http.response.body',
    ]);
  });

  it('throw mode: an unfinished response rejects the call', async () => {
    const forgot: App = async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'x', more: true });
    };
    await expect(new TestClient(lint({ mode: 'throw' })(forgot)).get('/')).rejects.toMatchObject({
      code: 'PAGI_ERR_STATE',
    });
  });

  it('checks the scope it is given (warn and throw)', async () => {
    const w = warnings();
    const broken = { type: 'http', path: '/x', headers: 'nope' } as unknown as Scope;
    const noop = async () => {};
    const inner: App = async () => {};
    await lint({ logger: w.logger })(inner)(broken, noop as never, noop as never);
    expect(w.messages[0]).toMatch(/scope/);
    await expect(lint({ mode: 'throw' })(inner)(broken, noop as never, noop as never)).rejects.toMatchObject({
      code: 'PAGI_ERR_VALIDATION',
    });
  });

  // Upstream Lint re-threw app exceptions with a lint note appended to the message (a changed error).
  it('lets the inner app’s errors through as the very same object, message unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(lint({ mode: 'throw' })(failing)).get('/')).rejects.toBe(boom);
    expect(boom.message).toBe('inner app failed');
  });

  it('refuses unknown options and modes when applied', () => {
    expect(() => lint({ strict: true } as never)).toThrow(/unknown option 'strict'/);
    expect(() => lint({ mode: 'die' } as never)).toThrow(/expected mode/);
    expect(() => lint({ logger: 'console' } as never)).toThrow(/logger/);
  });

  it('names its functions for stack traces', () => {
    const mw = lint();
    expect(mw.name).toBe('lint');
    expect(mw(good).name).toBe('lint');
  });
});

// Lint watches every scope type but changes nothing, so the default `handles` holds: lifespan,
// WebSocket and SSE must reach the inner app untouched, and a correct app raises nothing.
describeMiddlewareChecks('lint: the shared middleware checks of @pagi/test', lint({ mode: 'throw' }));
