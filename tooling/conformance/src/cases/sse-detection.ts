import type { App } from '@pagi/spec';
import { expect } from 'vitest';
import type { CaseContext } from './case-context.js';

/** Which requests become `sse` scopes (D-14). */
export function sseDetectionCases(ctx: CaseContext): void {
  /** Answers in whichever protocol the scope says, with the scope type as a text/plain body. */
  const typeEcho: App = async (scope, _receive, send) => {
    if (scope.type === 'sse') {
      await send({ type: 'sse.http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
      await send({ type: 'sse.http.response.body', body: 'sse' });
    } else {
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
      await send({ type: 'http.response.body', body: scope.type });
    }
  };

  ctx.it('D-14: text/event-stream with q=0, or only */*, is an ordinary http request', async () => {
    const client = ctx.serve(async (scope, _receive, send) => {
      if (scope.type !== 'http') throw new Error(`expected an http scope, got ${scope.type}`);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: scope.type });
    });
    const zero = await client.request('GET', '/q0', {
      headers: [['accept', 'text/event-stream;q=0, text/html']],
    });
    const wildcard = await client.request('GET', '/any', { headers: [['accept', '*/*']] });
    expect([zero.status, zero.body.toString()]).toEqual([200, 'http']);
    expect([wildcard.status, wildcard.body.toString()]).toEqual([200, 'http']);
  });

  ctx.it('D-14: a plain GET whose Accept lists text/event-stream arrives as an sse scope', async () => {
    const client = ctx.serve(typeEcho);
    const res = await client.request('GET', '/feed', {
      headers: [['accept', 'text/html, text/event-stream']],
    });
    expect(res.body.toString()).toBe('sse');
  });

  ctx.it('D-14: a POST accepting text/event-stream is an ordinary http request', async () => {
    const client = ctx.serve(typeEcho);
    const res = await client.request('POST', '/feed', { headers: [['accept', 'text/event-stream']] });
    expect(res.body.toString()).toBe('http');
  });

  ctx.it('D-14: only a GET becomes an sse scope, also for an SSE client using POST', async () => {
    const client = ctx.serve(typeEcho);
    const sse = await client.sse('/feed', { method: 'POST' });
    expect(sse.body.toString()).toBe('http');
  });
}
