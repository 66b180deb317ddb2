import type { Socket } from 'node:net';
import type { App, ReceiveEvent, WebSocketDisconnectEvent } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deferred, type Harness, startHarness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface Outcome {
  disconnect: WebSocketDisconnectEvent;
  again: unknown;
  messages: string[];
}

/** Accepts, collects text until the disconnect, then checks receive() repeats it and send() is a no-op. */
function collectingApp(
  outcome: (value: Outcome) => void,
  opts: { receiveAfterAccept?: Promise<void> } = {},
): App {
  return async (_scope, receive, send) => {
    await receive();
    await send({ type: 'websocket.accept' });
    await opts.receiveAfterAccept;
    const messages: string[] = [];
    for (;;) {
      const event = (await receive()) as ReceiveEvent<'websocket'>;
      if (event.type === 'websocket.disconnect') {
        await send({ type: 'websocket.send', text: 'ignored after disconnect' });
        outcome({ disconnect: event, again: await receive(), messages });
        return;
      }
      if (event.type === 'websocket.receive') messages.push(event.text ?? `<${event.bytes.length} bytes>`);
    }
  };
}

function clientClosed(client: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

function opened(client: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
}

/** A masked client frame written by hand (RFC 6455 §5.2), for what a well-behaved client won't send. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

describe('websocket close and disconnect', () => {
  it('reports the peer close code and reason, repeats it, and ignores later sends', async () => {
    const outcome = deferred<Outcome>();
    harness = await startHarness(collectingApp(outcome.resolve));
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    client.send('before');
    client.close(4001, 'bye now');
    const result = await outcome.promise;
    expect(result.messages).toEqual(['before']);
    expect(result.disconnect).toEqual({ type: 'websocket.disconnect', code: 4001, reason: 'bye now' });
    expect(result.again).toEqual(result.disconnect);
    expect(harness.access.at(-1)).toMatchObject({ status: 101, protocol: 'websocket' });
  });

  it('reports 1005 when the close frame had no code', async () => {
    const outcome = deferred<Outcome>();
    harness = await startHarness(collectingApp(outcome.resolve));
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    client.close();
    expect((await outcome.promise).disconnect).toEqual({
      type: 'websocket.disconnect',
      code: 1005,
      reason: '',
    });
  });

  it('closes with the code and reason the app sends', async () => {
    const disconnect = deferred<unknown>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.close', code: 4002, reason: 'done here' });
      await send({ type: 'websocket.close' }); // a second close is ignored
      disconnect.resolve(await receive());
    });
    const client = new WebSocket(harness.wsUrl);
    expect(await clientClosed(client)).toEqual({ code: 4002, reason: 'done here' });
    expect(await disconnect.promise).toEqual({
      type: 'websocket.disconnect',
      code: 4002,
      reason: 'done here',
    });
  });

  it('rejects a close with a code an endpoint may not send, or a reason over 123 bytes', async () => {
    const errors = deferred<string[]>();
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      const codes: string[] = [];
      for (const event of [
        { type: 'websocket.close', code: 1006 },
        { type: 'websocket.close', code: 1005 },
        { type: 'websocket.close', code: 1000, reason: 'x'.repeat(124) },
      ] as const) {
        await send(event).catch((error: { code: string }) => codes.push(error.code));
      }
      errors.resolve(codes);
      await send({ type: 'websocket.close', code: 1000, reason: 'é'.repeat(61) });
    });
    const client = new WebSocket(harness.wsUrl);
    const closed = clientClosed(client);
    expect(await errors.promise).toEqual([
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_VALIDATION',
      'PAGI_ERR_VALIDATION',
    ]);
    expect(await closed).toEqual({ code: 1000, reason: 'é'.repeat(61) });
  });

  it('reports 1006 client_closed when the socket is destroyed without a close frame', async () => {
    const outcome = deferred<Outcome>();
    harness = await startHarness(collectingApp(outcome.resolve));
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    client.terminate();
    expect((await outcome.promise).disconnect).toEqual({
      type: 'websocket.disconnect',
      code: 1006,
      reason: 'client_closed',
    });
  });

  it('fails the connection with 1007 on invalid UTF-8 in a text frame', async () => {
    const outcome = deferred<Outcome>();
    harness = await startHarness(collectingApp(outcome.resolve));
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    const closed = clientClosed(client);
    const socket = (client as unknown as { _socket: Socket })._socket;
    socket.write(maskedFrame(0x1, Buffer.from([0xc3, 0x28])));
    expect((await closed).code).toBe(1007);
    expect((await outcome.promise).disconnect).toEqual({
      type: 'websocket.disconnect',
      code: 1007,
      reason: 'protocol_error',
    });
  });

  it('fails the connection with 1002 on a reserved opcode', async () => {
    const outcome = deferred<Outcome>();
    harness = await startHarness(collectingApp(outcome.resolve));
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    const closed = clientClosed(client);
    (client as unknown as { _socket: Socket })._socket.write(maskedFrame(0x3, Buffer.from('x')));
    expect((await closed).code).toBe(1002);
    expect((await outcome.promise).disconnect).toMatchObject({ code: 1002, reason: 'protocol_error' });
  });

  it('closes with 1009 when a message is over wsMaxMessageSize', async () => {
    const outcome = deferred<Outcome>();
    harness = await startHarness(collectingApp(outcome.resolve), { wsMaxMessageSize: 1024 });
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    const closed = clientClosed(client);
    client.send(Buffer.alloc(1024));
    client.send(Buffer.alloc(1025));
    expect((await closed).code).toBe(1009);
    const result = await outcome.promise;
    expect(result.messages).toEqual(['<1024 bytes>']);
    expect(result.disconnect).toEqual({ type: 'websocket.disconnect', code: 1009, reason: 'body_too_large' });
  });

  it('closes with 1008 queue_overflow when the app stops receiving, after delivering what was queued', async () => {
    const outcome = deferred<Outcome>();
    const release = deferred();
    harness = await startHarness(collectingApp(outcome.resolve, { receiveAfterAccept: release.promise }), {
      wsMaxQueue: 5,
    });
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    const closed = clientClosed(client);
    for (let i = 0; i < 20; i++) client.send(`m${i}`);
    expect(await closed).toEqual({ code: 1008, reason: 'queue_overflow' });
    release.resolve();
    const result = await outcome.promise;
    expect(result.messages).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(result.disconnect).toEqual({ type: 'websocket.disconnect', code: 1008, reason: 'queue_overflow' });
    expect(harness.logs.some((entry) => entry.level === 'warn' && entry.message.includes('1008'))).toBe(true);
  });

  it('closes with 1011 when the app throws after accept, and 1000 when it returns', async () => {
    for (const [mode, code] of [
      ['throw', 1011],
      ['return', 1000],
    ] as const) {
      harness = await startHarness(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        if (mode === 'throw') throw new Error('after accept');
      });
      const closed = clientClosed(new WebSocket(harness.wsUrl));
      expect((await closed).code).toBe(code);
      if (mode === 'throw') expect(harness.logs.some((entry) => entry.level === 'error')).toBe(true);
      await harness.close();
      harness = undefined;
    }
  });

  it('closes with 1001 server_shutdown on graceful stop and refuses new upgrades with 503', async () => {
    const outcome = deferred<Outcome>();
    harness = await startHarness(collectingApp(outcome.resolve));
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    const closed = clientClosed(client);
    harness.stop();
    expect(await closed).toEqual({ code: 1001, reason: 'server_shutdown' });
    expect((await outcome.promise).disconnect).toEqual({
      type: 'websocket.disconnect',
      code: 1001,
      reason: 'server_shutdown',
    });
    expect(harness.tracked.size).toBe(0);
    const late = new WebSocket(harness.wsUrl);
    late.on('error', () => {});
    const status = await new Promise((resolve) =>
      late.on('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(503);
  });

  it('survives a frame that claims a 2^63-byte payload', async () => {
    const outcome = deferred<Outcome>();
    harness = await startHarness(collectingApp(outcome.resolve));
    const client = new WebSocket(harness.wsUrl);
    await opened(client);
    const closed = clientClosed(client);
    const socket = (client as unknown as { _socket: Socket })._socket;
    socket.write(Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]));
    expect([1009, 1002]).toContain((await closed).code);
    expect((await outcome.promise).disconnect.code).toBeGreaterThan(1000);
    // The server still serves new connections.
    const next = new WebSocket(harness.wsUrl);
    await opened(next);
    next.close();
  });
});
