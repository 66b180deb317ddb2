import { expect } from 'vitest';
import { createProbe } from '../internal/probe.js';
import type { ConformanceMessage } from '../transport.js';
import type { CaseContext } from './case-context.js';
import { valuesOf, websocketApp } from './helpers.js';

type Disconnect = { type: string; code?: number; reason?: string };

/** WebSocket handshake, messages, close and failures (protocol.md §4.2, §4.3, §5.2, D-12). */
export function websocketCases(ctx: CaseContext): void {
  ctx.it('websocket accept with a subprotocol the client offered', async () => {
    const seen = createProbe<string[]>();
    const client = ctx.serve(
      websocketApp(async (scope, receive, send) => {
        seen.report(scope.subprotocols);
        await receive();
        await send({ type: 'websocket.accept', subprotocol: 'chat.v2', headers: [['x-accepted', 'yes']] });
        await receive();
      }),
    );
    const ws = await client.websocket('/chat', { subprotocols: ['chat.v1', 'chat.v2'] });
    expect(ws.accepted).toBe(true);
    expect(ws.subprotocol).toBe('chat.v2');
    expect(valuesOf(ws.acceptHeaders, 'x-accepted')).toEqual(['yes']);
    expect(await seen.value('scope.subprotocols')).toEqual(['chat.v1', 'chat.v2']);
    await ws.close(1000, '');
  });

  ctx.it('websocket close before accept refuses the handshake with 403', async () => {
    const seen = createProbe<Disconnect>();
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.close' });
        seen.report((await receive()) as Disconnect);
      }),
    );
    const ws = await client.websocket('/closed');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(403);
    expect(await seen.value('receive() after a refused handshake')).toEqual({
      type: 'websocket.disconnect',
      code: 1006,
      reason: '',
    });
  });

  ctx.it('websocket denial extension: custom status, headers and a body in two parts', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({
          type: 'websocket.http.response.start',
          status: 401,
          headers: [
            ['content-type', 'text/plain'],
            ['x-denied', 'yes'],
          ],
        });
        await send({ type: 'websocket.http.response.body', body: 'go ', more: true });
        await send({ type: 'websocket.http.response.body', body: 'away' });
      }),
    );
    const ws = await client.websocket('/private');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(401);
    expect(valuesOf(ws.denial?.headers ?? [], 'x-denied')).toEqual(['yes']);
    expect(ws.denial?.body.toString()).toBe('go away');
  });

  ctx.it('websocket echo: text and bytes, including empty and "0" messages', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        while (true) {
          const event = await receive();
          if (event.type !== 'websocket.receive') return;
          if (typeof event.text === 'string') await send({ type: 'websocket.send', text: event.text });
          else await send({ type: 'websocket.send', bytes: event.bytes });
        }
      }),
    );
    const ws = await client.websocket('/echo');
    const sent: ConformanceMessage[] = [
      { text: 'hello' },
      { text: '' },
      { text: '0' },
      { text: 'é✓' },
      { bytes: Buffer.from([1, 2, 3]) },
      { bytes: Buffer.alloc(0) },
      { bytes: Buffer.from('0') },
    ];
    for (const message of sent) {
      if ('text' in message) await ws.sendText(message.text);
      else await ws.sendBytes(message.bytes);
    }
    const got: ConformanceMessage[] = [];
    for (let i = 0; i < sent.length; i++) got.push(await ws.receive());
    expect(got).toEqual(sent);
    await ws.close(1000, '');
  });

  ctx.it('websocket server close: the client sees the code and reason', async () => {
    const seen = createProbe<Disconnect>();
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        await send({ type: 'websocket.close', code: 4001, reason: 'bye now' });
        seen.report((await receive()) as Disconnect);
      }),
    );
    const ws = await client.websocket('/bye');
    expect(await ws.closed).toEqual({ code: 4001, reason: 'bye now' });
    expect(await seen.value('websocket.disconnect after the server close')).toEqual({
      type: 'websocket.disconnect',
      code: 4001,
      reason: 'bye now',
    });
  });

  ctx.it('websocket client close: the app sees the code and reason', async () => {
    const seen = createProbe<Disconnect>();
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        const event = (await receive()) as Disconnect;
        const again = (await receive()) as Disconnect;
        seen.report({ ...event, reason: `${event.reason}|${again.type}` });
      }),
    );
    const ws = await client.websocket('/leave');
    await ws.close(4002, 'done here');
    expect(await seen.value('websocket.disconnect')).toEqual({
      type: 'websocket.disconnect',
      code: 4002,
      reason: 'done here|websocket.disconnect',
    });
  });

  ctx.it('websocket app throws after accept: the client sees 1011', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        await receive();
        throw new Error('crash after accept');
      }),
    );
    const ws = await client.websocket('/crash');
    expect(ws.accepted).toBe(true);
    await ws.sendText('trigger');
    expect((await ws.closed).code).toBe(1011);
  });

  ctx.it('websocket app throws before accept: the handshake gets a 500', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive) => {
        await receive();
        throw new Error('crash before accept');
      }),
    );
    const ws = await client.websocket('/crash-early');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(500);
  });

  ctx.it('websocket app returns without answering the handshake: a 500', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive) => {
        await receive();
      }),
    );
    const ws = await client.websocket('/silent');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(500);
  });

  ctx.it('websocket denial begun but not finished when the app returns: what was given is sent', async () => {
    const client = ctx.serve(
      websocketApp(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.http.response.start', status: 429, headers: [['retry-after', '5']] });
        await send({ type: 'websocket.http.response.body', body: 'slow down', more: true });
      }),
    );
    const ws = await client.websocket('/half-denial');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(429);
    expect(valuesOf(ws.denial?.headers ?? [], 'retry-after')).toEqual(['5']);
    expect(ws.denial?.body.toString()).toBe('slow down');
  });
}
