import { expect } from 'vitest';
import { createGate, createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { outcomeOf, sseApp, valuesOf } from './helpers.js';

/** Server-Sent Events: stream, fields, comments, declines, close, failures (protocol.md §4.4, §5.3). */
export function sseCases(ctx: CaseContext): void {
  ctx.it('sse stream: status, headers and multi-line data split on \\n, \\r\\n and \\r', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        await send({ type: 'sse.send', data: 'a\nb' });
        await send({ type: 'sse.send', data: 'c\r\nd' });
        await send({ type: 'sse.send', data: 'e\rf\n\ng' });
      }),
    );
    const sse = await client.sse('/lines');
    expect(sse.status).toBe(200);
    expect(sse.declined).toBe(false);
    expect(valuesOf(sse.headers, 'content-type')[0]).toMatch(/^text\/event-stream/);
    expect(valuesOf(sse.headers, 'cache-control')).toEqual(['no-cache']);
    expect(await sse.next()).toEqual({ data: 'a\nb' });
    expect(await sse.next()).toEqual({ data: 'c\nd' });
    expect(await sse.next()).toEqual({ data: 'e\nf\n\ng' });
    expect(await sse.next()).toBeUndefined();
  });

  ctx.it('sse fields: event, id and retry', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        await send({ type: 'sse.send', event: 'tick', data: '1', id: '7', retry: 1500 });
        await send({ type: 'sse.send', event: '', data: '2', id: '' });
      }),
    );
    const sse = await client.sse('/fields');
    expect(await sse.next()).toEqual({ event: 'tick', data: '1', id: '7', retry: 1500 });
    expect(await sse.next()).toEqual({ data: '2' });
    expect(await sse.next()).toBeUndefined();
  });

  ctx.it("sse comments are not events, and data: '' is still dispatched", async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        await send({ type: 'sse.comment', comment: 'ping' });
        await send({ type: 'sse.comment', comment: ':already' });
        await send({ type: 'sse.send', data: '' });
        await send({ type: 'sse.send', data: 'after' });
      }),
    );
    const sse = await client.sse('/comments');
    expect(await sse.next()).toEqual({ data: '' });
    expect(await sse.next()).toEqual({ data: 'after' });
    expect(sse.comments).toEqual(['ping', 'already']);
  });

  ctx.it('sse decline with 204 (no stream, no body)', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.http.response.start', status: 204 });
        await send({ type: 'sse.http.response.body' });
      }),
    );
    const sse = await client.sse('/stop');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(204);
    expect(sse.body.length).toBe(0);
  });

  ctx.it('sse decline with 404 and a body in two parts', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({
          type: 'sse.http.response.start',
          status: 404,
          headers: [['content-type', 'text/plain']],
        });
        await send({ type: 'sse.http.response.body', body: 'no such ', more: true });
        await send({ type: 'sse.http.response.body', body: 'stream' });
      }),
    );
    const sse = await client.sse('/missing');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(404);
    expect(sse.body.toString()).toBe('no such stream');
  });

  ctx.it('sse.close ends the stream while the app runs on; later sends reject', async () => {
    const gate = createGate();
    const seen = createProbe<{ lateSend: string; event: unknown }>();
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        await send({ type: 'sse.send', data: 'last' });
        await send({ type: 'sse.close', reason: 'done' });
        await gate.wait;
        const lateSend = await outcomeOf(send({ type: 'sse.send', data: 'too late' }));
        seen.report({ lateSend, event: await receive() });
      }),
    );
    const sse = await client.sse('/close');
    expect(await sse.next()).toEqual({ data: 'last' });
    // The end arrives while the app is still parked on the gate.
    expect(await sse.next()).toBeUndefined();
    gate.open();
    const report = await seen.value('the outcome of a send after sse.close');
    expect(report.lateSend).toBe('PAGI_ERR_STATE');
    expect(report.event).toEqual({ type: 'sse.disconnect', reason: 'done' });
  });

  ctx.it('sse client disconnect: the app gets sse.disconnect with client_closed', async () => {
    const seen = createProbe<{
      first: unknown;
      type: string;
      reason?: string;
      again: string;
      lateSend: string;
    }>();
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        const request = await receive();
        const first =
          request.type === 'sse.request'
            ? { type: request.type, length: request.body.length, more: request.more }
            : request;
        await send({ type: 'sse.start' });
        await send({ type: 'sse.send', data: 'hi' });
        const gone = (await receive()) as { type: string; reason?: string };
        const again = (await receive()).type;
        // After the client left, plain stream events resolve and do nothing (§5.3).
        const lateSend = await outcomeOf(send({ type: 'sse.send', data: 'nobody listens' }));
        seen.report({ first, ...gone, again, lateSend });
      }),
    );
    const sse = await client.sse('/leave');
    expect(await sse.next()).toEqual({ data: 'hi' });
    await sse.disconnect();
    expect(await seen.value('sse.disconnect')).toEqual({
      first: { type: 'sse.request', length: 0, more: false },
      type: 'sse.disconnect',
      reason: 'client_closed',
      again: 'sse.disconnect',
      lateSend: 'resolved',
    });
  });

  ctx.it('sse app throws before sse.start: a 500 response', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive) => {
        await receive();
        throw new Error('no stream for you');
      }),
    );
    const sse = await client.sse('/crash');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(500);
  });

  ctx.it('sse wire bytes, as a plain GET accepting text/event-stream reads them', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        await send({ type: 'sse.comment', comment: 'hi\nthere' });
        await send({ type: 'sse.send', event: 'tick', data: 'a\r\nb', id: '1', retry: 10 });
        await send({ type: 'sse.send', data: '' });
        await send({ type: 'sse.comment', comment: '' });
        await send({ type: 'sse.send', data: 'z', retry: 0 });
      }),
    );
    const res = await client.request('GET', '/raw', { headers: [['accept', 'text/event-stream']] });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(
      ':hi\n:there\n\nevent: tick\ndata: a\ndata: b\nid: 1\nretry: 10\n\ndata: \n\n:\n\ndata: z\nretry: 0\n\n',
    );
  });

  ctx.it('sse app returns without sse.start or a decline: a 500 response', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive) => {
        await receive();
      }),
    );
    const sse = await client.sse('/silent');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(500);
  });

  ctx.it('sse app throws after sse.start: the events sent so far arrive, then the stream ends', async () => {
    const client = ctx.serve(
      sseApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'sse.start' });
        await send({ type: 'sse.send', data: 'before the crash' });
        throw new Error('crash mid-stream');
      }),
    );
    const sse = await client.sse('/crash-late');
    expect(sse.status).toBe(200);
    expect(await sse.next()).toEqual({ data: 'before the crash' });
    expect(await sse.next()).toBeUndefined();
  });
}
