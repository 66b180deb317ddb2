import type { Socket } from 'node:net';
import type { App, ReceiveEvent, WebSocketDisconnectEvent } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerOptions } from '../../src/options.js';
import { deferred, type Harness, startHarness } from './harness.js';

/**
 * `wsMaxFragments`: how many frames one inbound message may arrive in. The frames are written by
 * hand on a `ws` client's socket (a well-behaved client sends a message as one frame).
 */

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface Outcome {
  sizes: number[];
  disconnect: WebSocketDisconnectEvent;
}

/** Accepts and records the size of every message until the disconnect. */
function recordingApp(outcome: (value: Outcome) => void): App {
  return async (_scope, receive, send) => {
    await receive();
    await send({ type: 'websocket.accept' });
    const sizes: number[] = [];
    for (;;) {
      const event = (await receive()) as ReceiveEvent<'websocket'>;
      if (event.type === 'websocket.disconnect') {
        outcome({ sizes, disconnect: event });
        return;
      }
      if (event.type === 'websocket.receive') {
        sizes.push(event.bytes?.length ?? -1);
        // Tells the client the message got through, so it can close normally.
        await send({ type: 'websocket.send', text: 'got it' });
      }
    }
  };
}

/**
 * One binary message of `count` frames of `size` bytes (RFC 6455 §5.4): opcode 0x2 without FIN,
 * continuations (0x0), the last with FIN. Masked, as a client must (§5.3).
 */
function fragmentedMessage(count: number, size: number): Buffer {
  const header = size < 126 ? 6 : 8;
  const out = Buffer.alloc(count * (header + size));
  let at = 0;
  for (let i = 0; i < count; i++) {
    const fin = i === count - 1 ? 0x80 : 0;
    out[at++] = fin | (i === 0 ? 0x2 : 0x0);
    if (size < 126) out[at++] = 0x80 | size;
    else {
      out[at++] = 0x80 | 126;
      out.writeUInt16BE(size, at);
      at += 2;
    }
    // Mask 0 leaves the payload as is (zeros), which keeps the builder trivial.
    out.writeUInt32BE(0, at);
    at += 4 + size;
  }
  return out;
}

/** Opens a client, writes the fragmented message, resolves with the close and what the app saw. */
async function sendFragmented(
  overrides: ServerOptions,
  count: number,
  size: number,
): Promise<{ close: { code: number; reason: string }; outcome: Outcome }> {
  const outcome = deferred<Outcome>();
  harness = await startHarness(recordingApp(outcome.resolve), overrides);
  const client = new WebSocket(harness.wsUrl);
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const socket = (client as unknown as { _socket: Socket })._socket;
  socket.write(fragmentedMessage(count, size));
  // A message that got through is acknowledged; then the client closes normally.
  client.once('message', () => client.close(1000, 'done'));
  return { close: await closed, outcome: await outcome.promise };
}

describe('websocket fragment limit (wsMaxFragments)', () => {
  it('accepts a 4 MiB message in 16384 fragments of 256 bytes by default', async () => {
    const { close, outcome } = await sendFragmented({}, 16384, 256);
    expect(close.code).toBe(1000);
    expect(outcome.sizes).toEqual([4 * 1024 * 1024]);
  });

  it('closes 1008 on the 16385th fragment by default; the app sees 1008 body_too_large', async () => {
    const { close, outcome } = await sendFragmented({}, 16385, 256);
    expect(close.code).toBe(1008);
    expect(outcome.sizes).toEqual([]);
    expect(outcome.disconnect).toEqual({
      type: 'websocket.disconnect',
      code: 1008,
      reason: 'body_too_large',
    });
  });

  it('raises the limit: 65536 fragments of 64 bytes pass with wsMaxFragments 65536', async () => {
    const { close, outcome } = await sendFragmented({ wsMaxFragments: 65536 }, 65536, 64);
    expect(close.code).toBe(1000);
    expect(outcome.sizes).toEqual([4 * 1024 * 1024]);
  });

  it('lowers the limit: 10 fragments pass and 11 close 1008 with wsMaxFragments 10', async () => {
    const at = await sendFragmented({ wsMaxFragments: 10 }, 10, 100);
    expect(at.close.code).toBe(1000);
    expect(at.outcome.sizes).toEqual([1000]);
    await harness?.close();
    harness = undefined;
    const over = await sendFragmented({ wsMaxFragments: 10 }, 11, 100);
    expect(over.close.code).toBe(1008);
    expect(over.outcome.disconnect).toEqual({
      type: 'websocket.disconnect',
      code: 1008,
      reason: 'body_too_large',
    });
  });

  it('0 means no limit', async () => {
    const { close, outcome } = await sendFragmented({ wsMaxFragments: 0 }, 20000, 16);
    expect(close.code).toBe(1000);
    expect(outcome.sizes).toEqual([320000]);
  });
});
