import type { SendEvent } from '@pagi/spec';
import { expect } from 'vitest';
import { createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { outcomeOf, valuesOf, websocketApp } from './helpers.js';

type Disconnect = { type: string; code?: number; reason?: string };

/** WebSocket send checks (§5.2, §4.2.6, D-6) and the ends a client can cause. */
export function websocketViolationCases(ctx: CaseContext): void {
  ctx.it('websocket.send before accept rejects with PAGI_ERR_STATE', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        const code = await outcomeOf(send({ type: 'websocket.send', text: 'too soon' }));
        await send({ type: 'websocket.http.response.start', status: 400, headers: [['x-error', code]] });
        await send({ type: 'websocket.http.response.body', body: '' });
      }),
    );
    const ws = await client.websocket('/early');
    expect(ws.denial?.status).toBe(400);
    expect(valuesOf(ws.denial?.headers ?? [], 'x-error')).toEqual(['PAGI_ERR_STATE']);
  });

  ctx.it('websocket.accept with a subprotocol the client did not offer rejects', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        seen.report(await outcomeOf(send({ type: 'websocket.accept', subprotocol: 'not-offered' })));
        await send({ type: 'websocket.accept', subprotocol: 'chat' });
        await receive();
      }),
    );
    const ws = await client.websocket('/proto', { subprotocols: ['chat'] });
    expect(ws.subprotocol).toBe('chat');
    expect(await seen.value('the outcome of an unoffered subprotocol')).toBe('PAGI_ERR_VALIDATION');
    await ws.close(1000, '');
  });

  ctx.it(
    'websocket.close with a code not allowed on the wire, or a reason over 123 bytes, rejects',
    async () => {
      const seen = createProbe<string[]>();
      const client = ctx.serve(
        websocketApp(async (_scope, receive, send) => {
          await receive();
          await send({ type: 'websocket.accept' });
          const outcomes = [
            await outcomeOf(send({ type: 'websocket.close', code: 1005 })),
            await outcomeOf(send({ type: 'websocket.close', code: 1000, reason: 'x'.repeat(124) })),
          ];
          seen.report(outcomes);
          await send({ type: 'websocket.close', code: 1000 });
        }),
      );
      const ws = await client.websocket('/bad-close');
      expect((await ws.closed).code).toBe(1000);
      expect(await seen.value('the outcomes of bad closes')).toEqual([
        'PAGI_ERR_VALIDATION',
        'PAGI_ERR_VALIDATION',
      ]);
    },
  );

  ctx.it('denial events after accept are ignored (the send resolves)', async () => {
    const seen = createProbe<string[]>();
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        const events: SendEvent<'websocket'>[] = [
          { type: 'websocket.http.response.start', status: 403 },
          { type: 'websocket.http.response.body', body: 'ignored' },
        ];
        const outcomes: string[] = [];
        for (const event of events) outcomes.push(await outcomeOf(send(event)));
        seen.report(outcomes);
        await send({ type: 'websocket.send', text: 'still open' });
        await receive();
      }),
    );
    const ws = await client.websocket('/late-denial');
    expect(await ws.receive()).toEqual({ text: 'still open' });
    expect(await seen.value('the outcomes of late denial events')).toEqual(['resolved', 'resolved']);
    await ws.close(1000, '');
  });

  ctx.it('websocket client drop: the app gets 1006 client_closed, again on every receive', async () => {
    const seen = createProbe<{ first: Disconnect; again: Disconnect; lateSend: string }>();
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        await send({ type: 'websocket.send', text: 'hello' });
        const first = (await receive()) as Disconnect;
        const again = (await receive()) as Disconnect;
        const lateSend = await outcomeOf(send({ type: 'websocket.send', text: 'nobody hears this' }));
        seen.report({ first, again, lateSend });
      }),
    );
    const ws = await client.websocket('/drop');
    expect(await ws.receive()).toEqual({ text: 'hello' });
    await ws.drop();
    const report = await seen.value('websocket.disconnect after a drop');
    expect(report.first).toEqual({ type: 'websocket.disconnect', code: 1006, reason: 'client_closed' });
    expect(report.again).toEqual(report.first);
    expect(report.lateSend).toBe('resolved');
  });

  ctx.it('websocket app returns after accept without closing: the client sees 1000', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        await send({ type: 'websocket.send', text: 'bye' });
      }),
    );
    const ws = await client.websocket('/return');
    expect(await ws.receive()).toEqual({ text: 'bye' });
    expect((await ws.closed).code).toBe(1000);
  });

  ctx.it(
    'websocket: keepalive is accepted; a lone surrogate, both text and bytes, unknown types reject',
    async () => {
      const seen = createProbe<string[]>();
      const client = ctx.serve(
        websocketApp(async (_scope, receive, send) => {
          await receive();
          await send({ type: 'websocket.accept' });
          const events = [
            { type: 'websocket.keepalive', interval: 0 },
            { type: 'websocket.send', text: 'bad \ud800' },
            { type: 'websocket.send', text: 'a', bytes: Buffer.from('b') },
            { type: 'http.response.start', status: 200 },
          ] as unknown as SendEvent<'websocket'>[];
          const outcomes: string[] = [];
          for (const event of events) outcomes.push(await outcomeOf(send(event)));
          seen.report(outcomes);
          await send({ type: 'websocket.close', code: 1000 });
        }),
      );
      const ws = await client.websocket('/checks');
      expect((await ws.closed).code).toBe(1000);
      expect(await seen.value('the outcomes')).toEqual([
        'resolved',
        'PAGI_ERR_VALIDATION',
        'PAGI_ERR_VALIDATION',
        'PAGI_ERR_UNKNOWN_EVENT',
      ]);
    },
  );

  ctx.it('§2.4: an uppercase header name in a denial rejects with PAGI_ERR_VALIDATION', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        const code = await outcomeOf(
          send({ type: 'websocket.http.response.start', status: 400, headers: [['X-Upper', 'yes']] }),
        );
        await send({ type: 'websocket.http.response.start', status: 400, headers: [['x-error', code]] });
        await send({ type: 'websocket.http.response.body' });
      }),
    );
    const ws = await client.websocket('/upper');
    expect(valuesOf(ws.denial?.headers ?? [], 'x-error')).toEqual(['PAGI_ERR_VALIDATION']);
  });
}
