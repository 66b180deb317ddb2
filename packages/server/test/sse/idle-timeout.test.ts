import type { App, SseDisconnectEvent } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerOptions } from '../../src/options.js';
import { deferred, type Harness, startHarness } from '../websocket/harness.js';
import { openSse } from './sse-client.js';

/**
 * `sseIdleTimeout`: a stream the app sent no event or comment on for that long is ended cleanly
 * and the app sees `sse.disconnect {reason: 'idle_timeout'}`. The app's activity runs at a tenth
 * of the timeout, so only a stall of ten periods could make a busy stream look idle.
 */

const IDLE = 400;
const STEP = IDLE / 10;
const BUSY_FOR = IDLE * 3;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Starts the stream, sends `kind` every STEP ms for `busyFor` ms, then waits for the disconnect. */
function streamingApp(
  disconnected: (event: SseDisconnectEvent) => void,
  busyFor = 0,
  kind: 'event' | 'comment' = 'event',
): App {
  return async (_scope, receive, send) => {
    await receive();
    await send({ type: 'sse.start' });
    const started = Date.now();
    const ended = receive().then((event) => {
      disconnected(event as SseDisconnectEvent);
    });
    let done = false;
    void ended.then(() => {
      done = true;
    });
    while (!done && Date.now() - started < busyFor) {
      await send(
        kind === 'event' ? { type: 'sse.send', data: 'tick' } : { type: 'sse.comment', comment: 'tick' },
      );
      await new Promise((r) => setTimeout(r, STEP));
    }
    await ended;
  };
}

async function start(app: App, overrides: ServerOptions = {}) {
  harness = await startHarness(app, { sseIdleTimeout: IDLE, ...overrides });
  const client = await openSse(harness.port);
  const openedAt = Date.now();
  const closedAt = client.closed.then(() => Date.now());
  return { client, openedAt, closedAt };
}

const IDLE_END: SseDisconnectEvent = { type: 'sse.disconnect', reason: 'idle_timeout' };

describe('SSE idle timeout (sseIdleTimeout)', () => {
  it('ends a stream with no events after the timeout: terminator, close, idle_timeout', async () => {
    const disconnect = deferred<SseDisconnectEvent>();
    const { client, openedAt, closedAt } = await start(streamingApp(disconnect.resolve));
    const at = await closedAt;
    expect(at - openedAt).toBeGreaterThanOrEqual(IDLE / 2);
    expect(at - openedAt).toBeLessThan(IDLE * 10);
    // A clean end (the zero-length chunk), so an EventSource reconnects as after any end.
    expect(client.terminated()).toBe(true);
    expect(await disconnect.promise).toEqual(IDLE_END);
    expect(harness?.access.at(-1)).toMatchObject({ protocol: 'sse', status: 200 });
  });

  it.each(['event', 'comment'] as const)(
    'is kept open by the app sending %ss, then ends once they stop',
    async (kind) => {
      const disconnect = deferred<SseDisconnectEvent>();
      const { client, openedAt, closedAt } = await start(streamingApp(disconnect.resolve, BUSY_FOR, kind));
      const at = await closedAt;
      expect(at - openedAt).toBeGreaterThanOrEqual(BUSY_FOR);
      expect(client.body().split('tick').length - 1).toBeGreaterThan(3);
      expect(await disconnect.promise).toEqual(IDLE_END);
    },
  );

  it('is not kept open by keepalive comments (the server writes them, not the app)', async () => {
    const disconnect = deferred<SseDisconnectEvent>();
    const { client, closedAt } = await start(streamingApp(disconnect.resolve), {
      sseKeepaliveInterval: STEP,
    });
    await closedAt;
    expect(client.body()).toContain(':\n\n');
    expect(await disconnect.promise).toEqual(IDLE_END);
  });

  it('is off by default', async () => {
    const disconnect = deferred<SseDisconnectEvent>();
    const { client } = await start(streamingApp(disconnect.resolve), { sseIdleTimeout: undefined });
    await new Promise((r) => setTimeout(r, IDLE * 2));
    expect(client.socket.destroyed).toBe(false);
    client.socket.destroy();
    expect(await disconnect.promise).toEqual({ type: 'sse.disconnect', reason: 'client_closed' });
  });
});
