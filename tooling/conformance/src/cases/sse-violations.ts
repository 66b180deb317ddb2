import type { SendEvent } from '@pagi/spec';
import { expect } from 'vitest';
import { createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { outcomeOf, sseApp, valuesOf } from './helpers.js';

/** SSE send checks (§4.4, §5.3) the server must make. */
export function sseViolationCases(ctx: CaseContext): void {
  ctx.it('sse.send before sse.start rejects with PAGI_ERR_STATE', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        const code = await outcomeOf(send({ type: 'sse.send', data: 'too soon' }));
        await send({ type: 'sse.start', headers: [['x-error', code]] });
        await send({ type: 'sse.send', data: 'after start' });
      }),
    );
    const sse = await client.sse('/early');
    expect(valuesOf(sse.headers, 'x-error')).toEqual(['PAGI_ERR_STATE']);
    expect(await sse.next()).toEqual({ data: 'after start' });
  });

  ctx.it('sse.start: custom status and headers; the server adds what the app left out', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start', status: 201, headers: [['x-stream', 'yes']] });
        await send({ type: 'sse.close' });
      }),
    );
    const sse = await client.sse('/custom');
    expect(sse.status).toBe(201);
    expect(valuesOf(sse.headers, 'x-stream')).toEqual(['yes']);
    expect(valuesOf(sse.headers, 'content-type')[0]).toMatch(/^text\/event-stream/);
    expect(await sse.next()).toBeUndefined();
  });

  ctx.it('sse field checks: a newline in event or id, a negative retry, all reject', async () => {
    const seen = createProbe<string[]>();
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        const bad: SendEvent<'sse'>[] = [
          { type: 'sse.send', data: 'x', event: 'a\nb' },
          { type: 'sse.send', data: 'x', id: 'a\rb' },
          { type: 'sse.send', data: 'x', retry: -1 },
        ];
        const outcomes: string[] = [];
        for (const event of bad) outcomes.push(await outcomeOf(send(event)));
        seen.report(outcomes);
        await send({ type: 'sse.send', data: 'fine' });
      }),
    );
    const sse = await client.sse('/fields-bad');
    expect(await sse.next()).toEqual({ data: 'fine' });
    expect(await seen.value('the outcomes of bad fields')).toEqual([
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_VALIDATION',
    ]);
  });

  ctx.it('sse: a decline after sse.start rejects; a second sse.close is ignored', async () => {
    const seen = createProbe<string[]>();
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        const decline = await outcomeOf(send({ type: 'sse.http.response.start', status: 404 }));
        await send({ type: 'sse.send', data: 'streaming' });
        await send({ type: 'sse.close' });
        seen.report([decline, await outcomeOf(send({ type: 'sse.close' }))]);
      }),
    );
    const sse = await client.sse('/mixed');
    expect(await sse.next()).toEqual({ data: 'streaming' });
    expect(await sse.next()).toBeUndefined();
    expect(await seen.value('the outcomes')).toEqual(['PAGI_ERR_STATE', 'resolved']);
  });

  ctx.it('sse: stream events after a decline started reject with PAGI_ERR_STATE', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.http.response.start', status: 403 });
        seen.report(await outcomeOf(send({ type: 'sse.send', data: 'no' })));
        await send({ type: 'sse.http.response.body', body: 'forbidden' });
      }),
    );
    const sse = await client.sse('/declined');
    expect(sse.status).toBe(403);
    expect(sse.body.toString()).toBe('forbidden');
    expect(await seen.value('the outcome of sse.send in a decline')).toBe('PAGI_ERR_STATE');
  });

  ctx.it(
    'sse: keepalive is accepted; http.fullflush and unknown types are foreign to the scope',
    async () => {
      const seen = createProbe<string[]>();
      const client = ctx.serve(
        sseApp(async (_scope, receive, send) => {
          await receive();
          await send({ type: 'sse.start' });
          const events = [
            { type: 'sse.keepalive', interval: 0 },
            { type: 'http.fullflush' },
            { type: 'sse.bogus' },
          ] as unknown as SendEvent<'sse'>[];
          const outcomes: string[] = [];
          for (const event of events) outcomes.push(await outcomeOf(send(event)));
          seen.report(outcomes);
        }),
      );
      const sse = await client.sse('/foreign');
      expect(await sse.next()).toBeUndefined();
      expect(await seen.value('the outcomes')).toEqual([
        'resolved',
        'PAGI_ERR_UNKNOWN_EVENT',
        'PAGI_ERR_UNKNOWN_EVENT',
      ]);
    },
  );

  ctx.it('§2.4: an uppercase header name in sse.start rejects with PAGI_ERR_VALIDATION', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        const code = await outcomeOf(send({ type: 'sse.start', headers: [['X-Upper', 'yes']] }));
        await send({ type: 'sse.start', headers: [['x-error', code]] });
      }),
    );
    const sse = await client.sse('/upper');
    expect(valuesOf(sse.headers, 'x-error')).toEqual(['PAGI_ERR_VALIDATION']);
  });
}
