import type { App, Scope } from '@pagi/spec';
import { compose } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { requestTiming, TIMING_START } from '../middleware/request-timing.mjs';
import { securityHeaders } from '../middleware/security-headers.mjs';

/** Two body chunks, so a test can see the middleware did not buffer them into one. */
const chunked: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 201, headers: [['x-frame-options', 'SAMEORIGIN']] });
  await send({ type: 'http.response.body', body: 'one ', more: true });
  await send({ type: 'http.response.body', body: 'two' });
};

const failing: App = async () => {
  throw new Error('inner app failed');
};

describe('securityHeaders', () => {
  it('adds the missing headers, keeps the app’s own, and streams the body through', async () => {
    const res = await new TestClient(securityHeaders()(chunked)).get('/');
    expect(res.status).toBe(201);
    expect(res.headerValues('x-frame-options')).toEqual(['SAMEORIGIN']);
    expect(res.header('x-content-type-options')).toBe('nosniff');
    expect(res.header('referrer-policy')).toBe('no-referrer');
    expect(res.events.filter((e) => (e as { type: string }).type === 'http.response.body')).toHaveLength(2);
    expect(res.text).toBe('one two');
  });

  it('takes extra headers as options and refuses unsafe values when built', async () => {
    const app = securityHeaders({ headers: { 'Permissions-Policy': 'camera=()' } })(chunked);
    expect((await new TestClient(app).get('/')).header('permissions-policy')).toBe('camera=()');
    expect(() => securityHeaders({ headers: { 'x-a': 'a\r\nb' } })).toThrow(
      expect.objectContaining({ code: 'PAGI_ERR_VALIDATION' }),
    );
  });

  it('passes other scope types through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'websocket' } as Scope;
    const receive = async () => ({ type: 'websocket.connect' }) as never;
    const send = async () => {};
    await securityHeaders()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
    expect(seen[2]).toBe(send);
  });

  it('lets the app’s errors through unchanged', async () => {
    await expect(new TestClient(securityHeaders()(failing)).get('/')).rejects.toThrow('inner app failed');
  });
});

describe('requestTiming', () => {
  it('adds server-timing and reports the finished request', async () => {
    let t = 100;
    const reports: unknown[] = [];
    const app = requestTiming({ now: () => (t += 2.5), onTiming: (r: unknown) => reports.push(r) })(chunked);
    const res = await new TestClient(app).get('/timed');
    expect(res.header('server-timing')).toBe('app;dur=2.5');
    expect(res.text).toBe('one two');
    expect(reports).toEqual([{ method: 'GET', path: '/timed', status: 201, duration: 5 }]);
  });

  it('reports a failed request and lets its error through', async () => {
    const reports: Array<{ status: number }> = [];
    const app = requestTiming({ onTiming: (r: { status: number }) => reports.push(r) })(failing);
    await expect(new TestClient(app).get('/')).rejects.toThrow('inner app failed');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.status).toBe(0);
  });

  it('gives the inner app a shallow clone carrying the timing.start key and leaves the original alone', async () => {
    let inner: Record<string, unknown> | undefined;
    const spy: App = async (scope, _receive, send) => {
      inner = scope as Record<string, unknown>;
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    };
    const original = { type: 'http', method: 'GET', path: '/', headers: [] } as unknown as Scope;
    const before = Object.keys(original);
    await requestTiming({ now: () => 7 })(spy)(
      original,
      async () => ({}) as never,
      async () => {},
    );
    expect(inner).not.toBe(original);
    expect(TIMING_START.get(inner!)).toBe(7);
    expect(Object.keys(original)).toEqual(before);
  });

  it('composes with securityHeaders, outermost first', async () => {
    const stack = compose(securityHeaders(), requestTiming({ now: () => 0 }));
    const res = await new TestClient(stack(chunked)).get('/');
    expect(res.header('server-timing')).toBe('app;dur=0.0');
    expect(res.header('x-content-type-options')).toBe('nosniff');
  });
});
