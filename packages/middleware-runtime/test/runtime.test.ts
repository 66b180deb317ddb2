import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { runtime } from '../src/index.js';

/** A clock the test moves: the app "takes" 1234.5678 ms before it starts the response. */
function fakeClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const slowApp =
  (clock: ReturnType<typeof fakeClock>, headers: [string, string][] = []): App =>
  async (scope, receive, send) => {
    clock.advance(1234.5678);
    if (scope.type === 'http') {
      await send({ type: 'http.response.start', status: 200, headers });
      clock.advance(5000); // body time is not counted: the header is already out
      await send({ type: 'http.response.body', body: 'ok' });
    } else if (scope.type === 'sse') {
      await send({ type: 'sse.start', status: 200 });
    } else if (scope.type === 'websocket') {
      await receive();
      await send({ type: 'websocket.accept' });
    }
  };

describe('runtime', () => {
  it('adds X-Runtime (seconds, 6 places) and Server-Timing (ms) measured to the response start', async () => {
    const clock = fakeClock();
    const res = await new TestClient(runtime({ now: clock.now })(slowApp(clock))).get('/');
    expect(res.header('x-runtime')).toBe('1.234568');
    expect(res.header('server-timing')).toBe('app;dur=1234.6');
  });

  it('header, precision and serverTiming options', async () => {
    const clock = fakeClock();
    const mw = runtime({ now: clock.now, header: 'X-Response-Time', precision: 2, serverTiming: 'total' });
    const res = await new TestClient(mw(slowApp(clock))).get('/');
    expect(res.header('x-response-time')).toBe('1.23');
    expect(res.header('x-runtime')).toBeUndefined();
    expect(res.header('server-timing')).toBe('total;dur=1234.6');
    const only = await new TestClient(runtime({ now: clock.now, header: false })(slowApp(clock))).get('/');
    expect(only.header('x-runtime')).toBeUndefined();
    expect(only.header('server-timing')).toBe('app;dur=1234.6');
    const noTiming = await new TestClient(
      runtime({ now: clock.now, serverTiming: false })(slowApp(clock)),
    ).get('/');
    expect(noTiming.header('server-timing')).toBeUndefined();
  });

  it('leaves the app’s own X-Runtime and adds next to its Server-Timing', async () => {
    const clock = fakeClock();
    const app = slowApp(clock, [
      ['x-runtime', 'mine'],
      ['server-timing', 'db;dur=3'],
    ]);
    const res = await new TestClient(runtime({ now: clock.now })(app)).get('/');
    expect(res.headerValues('x-runtime')).toEqual(['mine']);
    expect(res.headerValues('server-timing')).toEqual(['db;dur=3', 'app;dur=1234.6']);
  });

  it('times SSE and WebSocket starts too', async () => {
    const clock = fakeClock();
    const client = new TestClient(runtime({ now: clock.now })(slowApp(clock)));
    const feed = await client.sse('/');
    expect(feed.header('x-runtime')).toBe('1.234568');
    await feed.disconnect();
    const ws = await client.websocket('/');
    expect(ws.acceptHeaders).toEqual([
      ['x-runtime', '1.234568'],
      ['server-timing', 'app;dur=1234.6'],
    ]);
    await ws.close();
  });

  it('uses a real monotonic clock by default', async () => {
    const res = await new TestClient(runtime()(slowApp(fakeClock()))).get('/');
    expect(Number(res.header('x-runtime'))).toBeGreaterThanOrEqual(0);
    expect(res.header('server-timing')).toMatch(/^app;dur=\d+\.\d$/);
  });

  it('passes lifespan through with the very same scope', async () => {
    let got: unknown;
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await runtime()(async (s) => {
      got = s;
    })(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(got).toBe(scope);
  });

  it('refuses unknown options and bad values when called', () => {
    expect(() => runtime({ digits: 3 } as never)).toThrow(/unknown option 'digits'/);
    expect(() => runtime({ precision: 12 })).toThrow(/precision/);
    expect(() => runtime({ serverTiming: 'a b' })).toThrow(/serverTiming/);
    expect(() => runtime({ header: false, serverTiming: false })).toThrow(/nothing to add/);
    expect(() => runtime({ header: 'bad name' })).toThrow();
    expect(() => runtime({ now: 5 as never })).toThrow(/now/);
  });

  it('names its functions for stack traces', () => {
    expect(runtime().name).toBe('runtime');
    expect(runtime()(slowApp(fakeClock())).name).toBe('runtime');
  });
});

describeMiddlewareChecks('runtime: the shared middleware checks of @pagi/test', runtime(), {
  handles: ['http', 'sse', 'websocket'],
});
