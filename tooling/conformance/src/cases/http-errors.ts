import type { DisconnectReason } from '@pagi/spec';
import { expect } from 'vitest';
import { createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { httpApp, outcomeOf, valuesOf } from './helpers.js';

const BACKSTOP_BODY = 'Internal Server Error\n';

/** Protocol violations (D-6) and the 500 backstop (protocol.md §1.5, §1.6, D-12). */
export function httpErrorCases(ctx: CaseContext): void {
  ctx.it('D-6: a second http.response.start rejects with PAGI_ERR_STATE', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        const code = await outcomeOf(send({ type: 'http.response.start', status: 404 }));
        await send({ type: 'http.response.body', body: code });
      }),
    );
    const res = await client.request('GET', '/twice');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('PAGI_ERR_STATE');
  });

  ctx.it('D-6: http.response.body before start rejects with PAGI_ERR_STATE', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        const code = await outcomeOf(send({ type: 'http.response.body', body: 'too soon' }));
        await send({ type: 'http.response.start', status: 200, headers: [['x-error', code]] });
        await send({ type: 'http.response.body', body: 'after' });
      }),
    );
    const res = await client.request('GET', '/early-body');
    expect(res.status).toBe(200);
    expect(valuesOf(res.headers, 'x-error')).toEqual(['PAGI_ERR_STATE']);
    expect(res.body.toString()).toBe('after');
  });

  ctx.it('D-6: a body after the final body rejects with PAGI_ERR_STATE', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'done' });
        seen.report(await outcomeOf(send({ type: 'http.response.body', body: 'extra' })));
      }),
    );
    const res = await client.request('GET', '/after-final');
    expect(res.body.toString()).toBe('done');
    expect(await seen.value('the outcome of a late body')).toBe('PAGI_ERR_STATE');
  });

  ctx.it('500 backstop: an app that throws before responding', async () => {
    const seen = createProbe<{ reason: DisconnectReason; started: boolean }>();
    const client = ctx.serve(
      httpApp(async (scope) => {
        const connection = scope['pagi.connection'];
        connection.on_disconnect((reason) => seen.report({ reason, started: connection.response_started() }));
        throw new Error('boom');
      }),
    );
    const res = await client.request('GET', '/throws');
    expect(res.status).toBe(500);
    expect(valuesOf(res.headers, 'content-type')[0]).toMatch(/^text\/plain/);
    expect(res.body.toString()).toBe(BACKSTOP_BODY);
    expect(await seen.value('on_disconnect after the backstop')).toEqual({
      reason: 'server_error',
      started: true,
    });
  });

  ctx.it('500 backstop: an app that returns without responding', async () => {
    const seen = createProbe<{ reason: DisconnectReason; started: boolean }>();
    const client = ctx.serve(
      httpApp(async (scope) => {
        const connection = scope['pagi.connection'];
        connection.on_disconnect((reason) => seen.report({ reason, started: connection.response_started() }));
      }),
    );
    const res = await client.request('GET', '/silent');
    expect(res.status).toBe(500);
    expect(valuesOf(res.headers, 'content-type')[0]).toMatch(/^text\/plain/);
    expect(res.body.toString()).toBe(BACKSTOP_BODY);
    expect(await seen.value('on_disconnect after the backstop')).toEqual({
      reason: 'server_error',
      started: true,
    });
  });

  ctx.it(
    'D-12: an app that throws after the response started: the response is aborted, server_error',
    async () => {
      const seen = createProbe<DisconnectReason>();
      const client = ctx.serve(
        httpApp(async (scope, _receive, send) => {
          scope['pagi.connection'].on_disconnect((reason) => seen.report(reason));
          await send({ type: 'http.response.start', status: 200 });
          await send({ type: 'http.response.body', body: 'partial', more: true });
          throw new Error('boom mid-body');
        }),
      );
      // The client can tell the body is incomplete: its request fails instead of ending cleanly.
      await expect(client.request('GET', '/throws-late')).rejects.toThrow();
      expect(await seen.value('on_disconnect after a late throw')).toBe('server_error');
    },
  );
}
