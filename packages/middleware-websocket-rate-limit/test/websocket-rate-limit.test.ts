import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { type WebSocketRateLimitOptions, websocketRateLimit } from '../src/index.js';

/** Echoes every message; records the disconnect it was handed. */
function echoApp(
  log: { disconnects: unknown[]; sendErrors: unknown[] } = { disconnects: [], sendErrors: [] },
): App {
  return async (scope, receive, send) => {
    if (scope.type === 'http') {
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({ type: 'http.response.body', body: 'http' });
      return;
    }
    if (scope.type !== 'websocket') return;
    await receive(); // websocket.connect
    await send({ type: 'websocket.accept' });
    for (;;) {
      const event = await receive();
      if (event.type === 'websocket.disconnect') {
        log.disconnects.push(event);
        // The app may still try to answer: after the limiter closed, that is a no-op, not an error.
        await send({ type: 'websocket.send', text: 'too late' }).catch((error) => log.sendErrors.push(error));
        return;
      }
      if (event.type === 'websocket.receive') {
        await send({ type: 'websocket.send', text: `echo:${event.text ?? `${event.bytes?.byteLength}b`}` });
      }
    }
  };
}

/** A controllable clock: tests move time instead of waiting for it. Each message read asks it once. */
function clock(): {
  now: () => number;
  advance: (ms: number) => void;
  untilCalls: (n: number) => Promise<void>;
} {
  let t = 1000;
  let calls = 0;
  const waiters: (() => void)[] = [];
  return {
    now: () => {
      calls++;
      for (const wake of waiters.splice(0)) wake();
      return t;
    },
    advance: (ms) => {
      t += ms;
    },
    async untilCalls(n) {
      while (calls < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

/** onLimit 'drop' that lets a test wait until the app's receive has refused n messages. */
function dropper() {
  const drops: string[] = [];
  const waiters: (() => void)[] = [];
  return {
    drops,
    onLimit: (kind: string): 'drop' => {
      drops.push(kind);
      for (const wake of waiters.splice(0)) wake();
      return 'drop';
    },
    async until(n: number): Promise<void> {
      while (drops.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

const open = async (options: WebSocketRateLimitOptions, app: App = echoApp()) =>
  new TestClient(websocketRateLimit(options)(app)).websocket('/ws');

describe('websocketRateLimit: message rate', () => {
  it('allows messagesPerSecond × burst at once, then closes with 1008 and the app gets the disconnect', async () => {
    const log = { disconnects: [] as unknown[], sendErrors: [] as unknown[] };
    const time = clock();
    const ws = await open({ messagesPerSecond: 2, burst: 1.5, now: time.now }, echoApp(log));
    await ws.sendText('a');
    await ws.sendText('b');
    await ws.sendText('c');
    expect(await ws.receiveText()).toBe('echo:a');
    expect(await ws.receiveText()).toBe('echo:b');
    await ws.sendText('d'); // capacity 3 used: over
    expect(await ws.receiveText()).toBe('echo:c');
    expect(await ws.closed).toEqual({ code: 1008, reason: 'Rate limit exceeded' });
    await ws.close().catch(() => {});
    expect(log.disconnects).toEqual([
      { type: 'websocket.disconnect', code: 1008, reason: 'Rate limit exceeded' },
    ]);
    expect(log.sendErrors).toEqual([]); // the app's late send was a no-op
    expect(ws.events.filter((e) => (e as { type: string }).type === 'websocket.send')).toHaveLength(3);
  });

  it('refills at messagesPerSecond on a monotonic clock', async () => {
    const time = clock();
    const drop = dropper();
    const ws = await open({ messagesPerSecond: 10, burst: 1, onLimit: drop.onLimit, now: time.now });
    // The app checks a message when it reads it: wait for each outcome before moving the clock.
    for (let i = 0; i < 10; i++) {
      await ws.sendText(`m${i}`);
      expect(await ws.receiveText()).toBe(`echo:m${i}`);
    }
    await ws.sendText('over');
    await drop.until(1);
    time.advance(200); // two more
    for (const m of ['x', 'y']) {
      await ws.sendText(m);
      expect(await ws.receiveText()).toBe(`echo:${m}`);
    }
    await ws.sendText('z');
    await drop.until(2);
    time.advance(100);
    await ws.sendText('last');
    expect(await ws.receiveText()).toBe('echo:last');
    expect(drop.drops).toEqual(['messages', 'messages']);
  });
});

describe('websocketRateLimit: byte rate', () => {
  it('counts UTF-8 bytes of text and the length of binary messages', async () => {
    const time = clock();
    const drop = dropper();
    const ws = await open({
      bytesPerSecond: 10,
      burst: 1,
      onLimit: drop.onLimit,
      messagesPerSecond: Infinity,
      now: time.now,
    });
    await ws.sendText('ééé'); // 6 bytes, 3 characters
    expect(await ws.receiveText()).toBe('echo:ééé');
    await ws.sendText('éé'); // 4 more: 10, the bucket is empty
    expect(await ws.receiveText()).toBe('echo:éé');
    await ws.sendBytes(new Uint8Array(1)); // over: dropped
    await drop.until(1);
    expect(drop.drops).toEqual(['bytes']);
    time.advance(500); // 5 bytes back
    await ws.sendBytes(new Uint8Array(5));
    expect(await ws.receiveText()).toBe('echo:5b');
  });

  it('a message larger than the whole bucket gets through when the bucket is full, then is paid back (upstream never let it through)', async () => {
    const time = clock();
    const drop = dropper();
    const ws = await open({ bytesPerSecond: 100, burst: 1, onLimit: drop.onLimit, now: time.now });
    await ws.sendBytes(new Uint8Array(250)); // > capacity 100: allowed once, 150 in debt
    expect(await ws.receiveText()).toBe('echo:250b');
    await ws.sendBytes(new Uint8Array(1)); // dropped: in debt
    await drop.until(1);
    time.advance(1600); // debt paid back (150 bytes at 100/s) plus 10 bytes
    await ws.sendBytes(new Uint8Array(10));
    expect(await ws.receiveText()).toBe('echo:10b');
  });

  it('a message refused for its bytes does not use up the message budget', async () => {
    const time = clock();
    const drop = dropper();
    const ws = await open({
      messagesPerSecond: 2,
      burst: 1,
      bytesPerSecond: 4,
      onLimit: drop.onLimit,
      now: time.now,
    });
    await ws.sendText('1234'); // empties the byte bucket
    expect(await ws.receiveText()).toBe('echo:1234');
    await ws.sendText('5'); // refused for bytes: its message token is given back
    await drop.until(1);
    time.advance(250); // one byte back, half a message token
    await ws.sendText('6'); // the second message token is still there
    expect(await ws.receiveText()).toBe('echo:6');
    expect(drop.drops).toEqual(['bytes']);
  });
});

describe('websocketRateLimit: options', () => {
  it("onLimit 'drop': the message is skipped and the connection stays open", async () => {
    const time = clock();
    const ws = await open({ messagesPerSecond: 1, burst: 1, onLimit: 'drop', now: time.now });
    await ws.sendText('kept');
    expect(await ws.receiveText()).toBe('echo:kept');
    await ws.sendText('dropped');
    await ws.sendText('also dropped');
    // Wait until the app has read (and dropped) both: one clock reading at connect, one per message.
    await time.untilCalls(4);
    time.advance(1000);
    await ws.sendText('kept too');
    expect(await ws.receiveText()).toBe('echo:kept too');
    await ws.close();
  });

  it('onLimit as a function: told which limit and the scope, chooses per event', async () => {
    const seen: string[] = [];
    const time = clock();
    const ws = await open({
      messagesPerSecond: 1,
      burst: 1,
      now: time.now,
      onLimit: (kind, scope) => {
        seen.push(`${kind}@${scope.path}`);
        return seen.length < 2 ? 'drop' : 'close';
      },
    });
    await ws.sendText('a');
    await ws.sendText('b'); // dropped
    await ws.sendText('c'); // closes
    expect(await ws.receiveText()).toBe('echo:a');
    expect((await ws.closed).code).toBe(1008);
    expect(seen).toEqual(['messages@/ws', 'messages@/ws']);
  });

  it('closeCode and closeReason', async () => {
    const ws = await open({ messagesPerSecond: 1, burst: 1, closeCode: 4029, closeReason: 'slow down' });
    await ws.sendText('a');
    await ws.sendText('b');
    expect(await ws.closed).toEqual({ code: 4029, reason: 'slow down' });
  });

  it('defaults: 100 messages/s × 2 burst pass at once, the 201st closes with 1008', async () => {
    const time = clock();
    const ws = await open({ now: time.now });
    for (let i = 0; i < 200; i++) {
      await ws.sendText('x');
      expect(await ws.receiveText()).toBe('echo:x');
    }
    await ws.sendText('x');
    expect(await ws.closed).toEqual({ code: 1008, reason: 'Rate limit exceeded' });
  });

  it('Infinity turns a limit off', async () => {
    const ws = await open({ messagesPerSecond: Infinity, bytesPerSecond: Infinity, now: () => 0 });
    for (let i = 0; i < 300; i++) {
      await ws.sendText('x');
      expect(await ws.receiveText()).toBe('echo:x');
    }
    await ws.close();
  });

  it('passes http (and every scope type but websocket) through untouched', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    for (const scope of [
      { type: 'lifespan', pagi: { version: '0.3' } },
      { type: 'http', method: 'GET', path: '/', headers: [] },
      { type: 'sse', path: '/', headers: [] },
    ] as Scope[]) {
      const receive = async () => ({ type: 'lifespan.startup' }) as never;
      const send = async () => {};
      await websocketRateLimit()(spy)(scope, receive, send);
      expect(seen[0]).toBe(scope);
      expect(seen[1]).toBe(receive);
      expect(seen[2]).toBe(send);
    }
    expect((await new TestClient(websocketRateLimit()(echoApp())).get('/')).text).toBe('http');
  });

  it('refuses unknown options and bad values when called', () => {
    expect(() => websocketRateLimit({ messagesPerSec: 1 } as never)).toThrow(
      /unknown option 'messagesPerSec'/,
    );
    expect(() => websocketRateLimit({ messagesPerSecond: 0 })).toThrow(/messagesPerSecond/);
    expect(() => websocketRateLimit({ bytesPerSecond: Number.NaN })).toThrow(/bytesPerSecond/);
    expect(() => websocketRateLimit({ burst: 0.5 })).toThrow(/burst/);
    expect(() => websocketRateLimit({ onLimit: 'ignore' as never })).toThrow(/onLimit/);
    expect(() => websocketRateLimit({ closeCode: 1006 })).toThrow(/closeCode/);
    expect(() => websocketRateLimit({ closeReason: 'x'.repeat(124) })).toThrow(/123/);
    expect(() => websocketRateLimit({ now: 1 as never })).toThrow(/now/);
  });

  it('lets the inner app’s errors through unchanged, and names its functions', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(websocketRateLimit()(failing)).websocket('/')).rejects.toBe(boom);
    expect(websocketRateLimit().name).toBe('websocketRateLimit');
    expect(websocketRateLimit()(failing).name).toBe('websocketRateLimit');
  });
});

describeMiddlewareChecks(
  'websocketRateLimit: the shared middleware checks of @pagi/test',
  websocketRateLimit(),
  { handles: ['websocket'] },
);
