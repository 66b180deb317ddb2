import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { SSE_RETRY, sseRetry } from '../src/index.js';

let seenRetry: number | undefined;
const feed =
  (events: { data: string; retry?: number }[]): App =>
  async (scope, _receive, send) => {
    if (scope.type !== 'sse') return;
    seenRetry = SSE_RETRY.get(scope);
    await send({ type: 'sse.start', status: 200 });
    for (const e of events) await send({ type: 'sse.send', ...e });
  };

async function read(app: App, n: number) {
  const s = await new TestClient(app).sse('/');
  const got = [];
  for (let i = 0; i < n; i++) got.push(await s.next());
  await s.disconnect();
  return got;
}

describe('sseRetry', () => {
  it('stamps retry on the first event only, and hands the delay to inner apps', async () => {
    const got = await read(sseRetry()(feed([{ data: 'a' }, { data: 'b' }])), 2);
    expect(got).toEqual([{ data: 'a', retry: 3000 }, { data: 'b' }]);
    expect(seenRetry).toBe(3000);
  });

  it('sends no retry-only event: the client sees exactly the app’s events (upstream sent an extra one)', async () => {
    const s = await new TestClient(sseRetry({ retry: 10 })(feed([{ data: 'only' }]))).sse('/');
    expect(await s.next()).toEqual({ data: 'only', retry: 10 });
    await s.finished();
    expect(s.events.filter((e) => (e as { type: string }).type === 'sse.send')).toHaveLength(1);
  });

  it('everyEvent stamps each event that has none; the app’s own retry is kept', async () => {
    const got = await read(
      sseRetry({ retry: 500, everyEvent: true })(
        feed([{ data: 'a' }, { data: 'b', retry: 9 }, { data: 'c' }]),
      ),
      3,
    );
    expect(got).toEqual([
      { data: 'a', retry: 500 },
      { data: 'b', retry: 9 },
      { data: 'c', retry: 500 },
    ]);
    const first = await read(sseRetry()(feed([{ data: 'a', retry: 7 }, { data: 'b' }])), 2);
    expect(first).toEqual([{ data: 'a', retry: 7 }, { data: 'b' }]);
  });

  it('leaves http and websocket scopes untouched', async () => {
    const http: App = async (scope, _r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: 'data: x\n\n' });
    };
    expect((await new TestClient(sseRetry()(http)).get('/')).text).toBe('data: x\n\n');
  });

  it('passes lifespan through with the very same scope', async () => {
    let got: unknown;
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await sseRetry()(async (s) => {
      got = s;
    })(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(got).toBe(scope);
  });

  it('refuses unknown options and bad values when called', () => {
    expect(() => sseRetry({ include_on_start: true } as never)).toThrow(/unknown option 'include_on_start'/);
    expect(() => sseRetry({ retry: -1 })).toThrow(/from 0 to 86400000, got -1/);
    expect(() => sseRetry({ retry: 1.5 })).toThrow(/retry/);
    expect(() => sseRetry({ retry: 86_400_001 })).toThrow(/retry/);
    expect(() => sseRetry({ everyEvent: 1 as never })).toThrow(/everyEvent/);
  });

  it('names its functions for stack traces', () => {
    expect(sseRetry().name).toBe('sseRetry');
    expect(sseRetry()(feed([])).name).toBe('sseRetry');
  });
});

describeMiddlewareChecks('sseRetry: the shared middleware checks of @pagi/test', sseRetry(), {
  handles: ['sse'],
});
