import type { DisconnectReason } from '@pagi/spec';
import { expect } from 'vitest';
import { createGate, createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { httpApp, outcomeOf } from './helpers.js';

/** `pagi.connection` on both paths (protocol.md §3.8, §5.5). */
export function httpConnectionCases(ctx: CaseContext): void {
  ctx.it('pagi.connection success path: on_complete fires, response_complete() true, no reason', async () => {
    const seen = createProbe<{
      complete: boolean | undefined;
      reason: DisconnectReason | undefined;
      started: boolean;
      disconnectFired: boolean;
      completeBefore: boolean | undefined;
      startedBefore: boolean;
    }>();
    const client = ctx.serve(
      httpApp(async (scope, receive, send) => {
        const connection = scope['pagi.connection'];
        let disconnectFired = false;
        connection.on_disconnect(() => {
          disconnectFired = true;
        });
        await receive();
        const startedBefore = connection.response_started();
        await send({ type: 'http.response.start', status: 200 });
        const completeBefore = connection.response_complete?.();
        await send({ type: 'http.response.body', body: 'fine' });
        connection.on_complete?.(() =>
          seen.report({
            complete: connection.response_complete?.(),
            reason: connection.disconnect_reason(),
            started: connection.response_started(),
            disconnectFired,
            completeBefore,
            startedBefore,
          }),
        );
      }),
    );
    const res = await client.request('GET', '/ok');
    expect(res.body.toString()).toBe('fine');
    expect(await seen.value('on_complete')).toEqual({
      complete: true,
      reason: undefined,
      started: true,
      disconnectFired: false,
      completeBefore: false,
      startedBefore: false,
    });
  });

  ctx.it('client disconnect mid-stream: on_disconnect(client_closed), then http.disconnect', async () => {
    const seen = createProbe<{
      order: string[];
      event: string;
      reason: DisconnectReason | undefined;
      connected: boolean;
      lateSend: string;
      future: DisconnectReason | undefined;
    }>();
    const client = ctx.serve(
      httpApp(async (scope, receive, send) => {
        const connection = scope['pagi.connection'];
        const order: string[] = [];
        connection.on_disconnect((reason) => order.push(`on_disconnect:${reason}`));
        await receive();
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'first', more: true });
        const event = await receive();
        order.push(event.type);
        // Registered after the disconnect: runs at once (protocol.md §3.8).
        connection.on_disconnect((reason) => order.push(`late:${reason}`));
        seen.report({
          order,
          event: event.type,
          reason: connection.disconnect_reason(),
          connected: connection.is_connected(),
          // After the client left, send() resolves and does nothing (D-6).
          lateSend: await outcomeOf(send({ type: 'http.response.body', body: 'late', more: true })),
          future: await connection.disconnect_future?.(),
        });
      }),
    );
    const stream = await client.stream('GET', '/ticks');
    expect((await stream.next())?.toString()).toBe('first');
    await stream.disconnect();
    expect(await seen.value('the app to see the disconnect')).toEqual({
      order: ['on_disconnect:client_closed', 'http.disconnect', 'late:client_closed'],
      event: 'http.disconnect',
      reason: 'client_closed',
      connected: false,
      lateSend: 'resolved',
      future: 'client_closed',
    });
  });

  ctx.it('D-11: on_complete waits for the app to return, not just for the last byte', async () => {
    const gate = createGate();
    const seen = createProbe<{ firedBeforeReturn: boolean; fired: boolean }>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        const connection = scope['pagi.connection'];
        let fired = false;
        connection.on_complete?.(() => {
          fired = true;
          seen.report({ firedBeforeReturn, fired });
        });
        let firedBeforeReturn = false;
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'all of it' });
        // The client has read the whole body before it opens the gate.
        await gate.wait;
        firedBeforeReturn = fired;
      }),
    );
    const stream = await client.stream('GET', '/slow-return');
    let body = '';
    for (let chunk = await stream.next(); chunk !== undefined; chunk = await stream.next())
      body += chunk.toString();
    expect(body).toBe('all of it');
    gate.open();
    expect(await seen.value('on_complete')).toEqual({ firedBeforeReturn: false, fired: true });
  });
}
