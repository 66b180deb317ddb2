import type { Socket } from 'node:net';
import type { App, ReceiveEvent, WebSocketDisconnectEvent } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerOptions } from '../../src/options.js';
import { deferred, type Harness, startHarness } from './harness.js';

/**
 * `wsIdleTimeout`: a WebSocket with no message in or out and no ping/pong from the peer for that
 * long is closed with 1001 `idle_timeout`. Activity runs at a tenth of the timeout, so only a
 * stall of ten periods could make a busy connection look idle.
 */

const IDLE = 400;
const STEP = IDLE / 10;
const BUSY_FOR = IDLE * 3;

let harness: Harness | undefined;
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  await harness?.close();
  harness = undefined;
});

function every(ms: number, fn: () => void): void {
  timers.push(setInterval(fn, ms));
}

/** Accepts; optionally sends a message every STEP ms; reports the disconnect. */
function idleApp(disconnected: (event: WebSocketDisconnectEvent) => void, sendFor = 0): App {
  return async (_scope, receive, send) => {
    await receive();
    await send({ type: 'websocket.accept' });
    const started = Date.now();
    let sending = sendFor > 0;
    const sender = (async () => {
      while (sending && Date.now() - started < sendFor) {
        await send({ type: 'websocket.send', text: 'tick' });
        await new Promise((r) => setTimeout(r, STEP));
      }
    })();
    for (;;) {
      const event = (await receive()) as ReceiveEvent<'websocket'>;
      if (event.type === 'websocket.disconnect') {
        sending = false;
        await sender;
        disconnected(event);
        return;
      }
    }
  };
}

async function open(
  app: App,
  overrides: ServerOptions,
  clientOptions?: WebSocket.ClientOptions,
): Promise<{
  client: WebSocket;
  openedAt: number;
  closed: Promise<{ code: number; reason: string; at: number }>;
}> {
  harness = await startHarness(app, { wsIdleTimeout: IDLE, ...overrides });
  const client = new WebSocket(harness.wsUrl, clientOptions);
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: String(reason), at: Date.now() })),
  );
  return { client, openedAt: Date.now(), closed };
}

const IDLE_CLOSE: WebSocketDisconnectEvent = {
  type: 'websocket.disconnect',
  code: 1001,
  reason: 'idle_timeout',
};

describe('websocket idle timeout (wsIdleTimeout)', () => {
  it('closes a silent connection with 1001 idle_timeout after the timeout; the app sees the same', async () => {
    const disconnect = deferred<WebSocketDisconnectEvent>();
    const { openedAt, closed } = await open(idleApp(disconnect.resolve), {});
    const close = await closed;
    expect(close).toMatchObject({ code: 1001, reason: 'idle_timeout' });
    // Not long before the timeout (it runs from accept, before the client sees the 101), and well
    // within ten of it.
    expect(close.at - openedAt).toBeGreaterThanOrEqual(IDLE / 2);
    expect(close.at - openedAt).toBeLessThan(IDLE * 10);
    expect(await disconnect.promise).toEqual(IDLE_CLOSE);
  });

  it('is kept open by inbound messages, then closes once they stop', async () => {
    const disconnect = deferred<WebSocketDisconnectEvent>();
    const { client, openedAt, closed } = await open(idleApp(disconnect.resolve), {});
    every(STEP, () => {
      if (Date.now() - openedAt < BUSY_FOR) client.send('x');
    });
    const close = await closed;
    expect(close.code).toBe(1001);
    expect(close.at - openedAt).toBeGreaterThanOrEqual(BUSY_FOR);
    expect(await disconnect.promise).toEqual(IDLE_CLOSE);
  });

  it('is kept open by inbound pings', async () => {
    const disconnect = deferred<WebSocketDisconnectEvent>();
    const { client, openedAt, closed } = await open(idleApp(disconnect.resolve), {});
    every(STEP, () => {
      if (Date.now() - openedAt < BUSY_FOR) client.ping();
    });
    const close = await closed;
    expect(close.code).toBe(1001);
    expect(close.at - openedAt).toBeGreaterThanOrEqual(BUSY_FOR);
  });

  it('is kept open by the app sending alone (the peer silent)', async () => {
    const disconnect = deferred<WebSocketDisconnectEvent>();
    const { client, openedAt, closed } = await open(idleApp(disconnect.resolve, BUSY_FOR), {});
    let ticks = 0;
    client.on('message', () => ticks++);
    const close = await closed;
    expect(close.code).toBe(1001);
    expect(close.at - openedAt).toBeGreaterThanOrEqual(BUSY_FOR);
    expect(ticks).toBeGreaterThan(3);
    expect(await disconnect.promise).toEqual(IDLE_CLOSE);
  });

  it('counts pongs answering the server keepalive, but not the server pings themselves', async () => {
    // A peer answering pings is not idle: still open after three timeouts.
    const answered = deferred<WebSocketDisconnectEvent>();
    const live = await open(idleApp(answered.resolve), { wsPingInterval: STEP });
    await new Promise((r) => setTimeout(r, BUSY_FOR));
    expect(live.client.readyState).toBe(WebSocket.OPEN);
    live.client.close(1000, 'done');
    expect(await answered.promise).toEqual({ type: 'websocket.disconnect', code: 1000, reason: 'done' });
    await harness?.close();
    harness = undefined;
    // A peer that does not answer (autoPong off): the server's own pings keep nothing alive.
    const silent = deferred<WebSocketDisconnectEvent>();
    const mute = await open(idleApp(silent.resolve), { wsPingInterval: STEP }, { autoPong: false });
    let pings = 0;
    mute.client.on('ping', () => pings++);
    expect(await mute.closed).toMatchObject({ code: 1001, reason: 'idle_timeout' });
    expect(pings).toBeGreaterThan(1);
    expect(await silent.promise).toEqual(IDLE_CLOSE);
  });

  it('does not close while a message is still arriving in fragments', async () => {
    const got = deferred<number>();
    const disconnect = deferred<WebSocketDisconnectEvent>();
    const app: App = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      for (;;) {
        const event = (await receive()) as ReceiveEvent<'websocket'>;
        if (event.type === 'websocket.receive') got.resolve(event.bytes?.length ?? -1);
        else if (event.type === 'websocket.disconnect') {
          disconnect.resolve(event);
          return;
        }
      }
    };
    const { client, openedAt, closed } = await open(app, {});
    const socket = (client as unknown as { _socket: Socket })._socket;
    // One binary message, one 1-byte fragment every STEP ms for three timeouts, masked (mask 0).
    const frames = Math.ceil(BUSY_FOR / STEP);
    let sent = 0;
    every(STEP, () => {
      if (sent === frames) return;
      sent++;
      const opcode = sent === 1 ? 0x2 : 0x0;
      const fin = sent === frames ? 0x80 : 0;
      socket.write(Buffer.from([fin | opcode, 0x80 | 1, 0, 0, 0, 0, 7]));
    });
    const early = closed.then((c) => {
      throw new Error(`closed ${c.code} ${c.reason} after ${sent} of ${frames} fragments`);
    });
    expect(await Promise.race([got.promise, early])).toBe(frames);
    early.catch(() => {});
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(BUSY_FOR - STEP * 2);
    expect((await closed).code).toBe(1001);
    expect(await disconnect.promise).toEqual(IDLE_CLOSE);
  });

  it('is off by default', async () => {
    const disconnect = deferred<WebSocketDisconnectEvent>();
    const { client } = await open(idleApp(disconnect.resolve), { wsIdleTimeout: undefined });
    await new Promise((r) => setTimeout(r, IDLE * 2));
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
    expect((await disconnect.promise).code).toBe(1005);
  });
});
