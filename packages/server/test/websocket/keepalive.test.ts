import { connect, type Socket } from 'node:net';
import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { deferred, type Harness, startHarness } from './harness.js';

let harness: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await harness?.close();
  harness = undefined;
});

/** Completes the handshake by hand and then never answers anything: a dead peer. */
function silentPeer(port: number): Promise<{ socket: Socket; pings: () => number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let raw = Buffer.alloc(0);
    let upgraded = false;
    let pings = 0;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      raw = Buffer.concat([raw, chunk]);
      if (!upgraded) {
        const end = raw.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!raw.subarray(0, end).toString('latin1').startsWith('HTTP/1.1 101')) reject(new Error('no 101'));
        upgraded = true;
        raw = raw.subarray(end + 4);
        resolve({ socket, pings: () => pings });
      }
      // Count ping frames (opcode 0x9, empty, unmasked from the server).
      while (raw.length >= 2) {
        const length = raw[1]! & 0x7f;
        if (raw.length < 2 + length) break;
        if ((raw[0]! & 0x0f) === 0x9) pings++;
        raw = raw.subarray(2 + length);
      }
    });
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}

function keepaliveApp(
  keepalive: { interval: number; timeout?: number } | undefined,
  out: (e: unknown) => void,
): App {
  return async (_scope, receive, send) => {
    await receive();
    await send({ type: 'websocket.accept' });
    if (keepalive !== undefined) await send({ type: 'websocket.keepalive', ...keepalive });
    for (;;) {
      const event = await receive();
      if (event.type === 'websocket.disconnect') {
        out(event);
        return;
      }
    }
  };
}

describe('websocket keepalive', () => {
  it('drops a peer that never answers pings and reports 1006 keepalive_timeout', async () => {
    const disconnect = deferred<unknown>();
    harness = await startHarness(keepaliveApp({ interval: 0.02, timeout: 0.05 }, disconnect.resolve));
    const peer = await silentPeer(harness.port);
    const closed = new Promise((resolve) => peer.socket.once('close', resolve));
    expect(await disconnect.promise).toEqual({
      type: 'websocket.disconnect',
      code: 1006,
      reason: 'keepalive_timeout',
    });
    await closed;
    expect(peer.pings()).toBeGreaterThan(0);
  });

  it('applies the server-wide wsPingInterval / wsPingTimeout by default', async () => {
    const disconnect = deferred<unknown>();
    harness = await startHarness(keepaliveApp(undefined, disconnect.resolve), {
      wsPingInterval: 20,
      wsPingTimeout: 50,
    });
    await silentPeer(harness.port);
    expect(await disconnect.promise).toEqual({
      type: 'websocket.disconnect',
      code: 1006,
      reason: 'keepalive_timeout',
    });
  });

  it('keeps a live peer (which answers pings) connected', async () => {
    harness = await startHarness(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.keepalive', interval: 0.01, timeout: 0.05 });
      const event = await receive();
      await send({ type: 'websocket.send', text: `alive: ${event.type}` });
      await receive();
    });
    const client = new WebSocket(harness.wsUrl);
    let pings = 0;
    const enough = deferred();
    client.on('ping', () => {
      if (++pings === 10) enough.resolve();
    });
    await enough.promise;
    const reply = new Promise((resolve) => client.once('message', (data) => resolve(String(data))));
    client.send('still here?');
    expect(await reply).toBe('alive: websocket.receive');
    client.close();
  });

  it.each([
    ['interval 0 after a keepalive stops it', true],
    ['the keepalive alone drops the silent peer', false],
  ])('last setting wins: %s', async (_name, stop) => {
    // Fake only the timers, so "nothing happens for 5 s" is checked without waiting 5 s.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const outcome: unknown[] = [];
      const ready = deferred();
      harness = await startHarness(async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        await send({ type: 'websocket.keepalive', interval: 1, timeout: 1 });
        if (stop) await send({ type: 'websocket.keepalive', interval: 0 });
        ready.resolve();
        outcome.push(await receive());
      });
      const peer = await silentPeer(harness.port);
      await ready.promise;
      vi.advanceTimersByTime(5000);
      // Let the socket events of whatever the timers did run.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (stop) {
        expect(peer.pings()).toBe(0);
        expect(harness.tracked.size).toBe(1);
        expect(outcome).toEqual([]);
      } else {
        await new Promise((resolve) =>
          peer.socket.destroyed ? resolve(null) : peer.socket.once('close', resolve),
        );
        expect(harness.tracked.size).toBe(0);
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
