import { describe, expect, it } from 'vitest';
import { TestClient } from '../src/index.js';
import { httpOnly } from './apps.js';

/** Sends `n` chunks of `size` bytes, each `await`ed, logging when each send returned. */
function chunker(n: number, size: number, log: string[]) {
  return httpOnly(async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200 });
    for (let i = 1; i <= n; i++) {
      await send({ type: 'http.response.body', body: Buffer.alloc(size, 48 + i), more: i < n });
      log.push(`sent ${i}`);
    }
  });
}

describe('backpressure emulation (highWaterMark / readDelay)', () => {
  it('holds the app in send() while more than highWaterMark bytes are unread', async () => {
    const log: string[] = [];
    const client = new TestClient(chunker(4, 10, log));
    const s = await client.stream('GET', '/', { highWaterMark: 15 });
    // 10 bytes buffered ≤ 15: send 1 returns; 20 > 15: send 2 waits for the reader.
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['sent 1']);
    for await (const chunk of s) log.push(`read ${chunk.length}`);
    expect(s.flow).toEqual({ bodyEvents: 4, bytesSent: 40, bytesRead: 40, maxBuffered: 20, pausedSends: 3 });
  });

  it('highWaterMark 0: every send waits until the test read that chunk', async () => {
    const log: string[] = [];
    const res = await new TestClient(chunker(3, 5, log)).get('/', { highWaterMark: 0 });
    expect(res.text).toBe('111112222233333');
    expect(res.flow).toMatchObject({ bodyEvents: 3, maxBuffered: 5, pausedSends: 3 });
  });

  it('readDelay makes a slow reader; without a highWaterMark nothing waits', async () => {
    const log: string[] = [];
    const res = await new TestClient(chunker(3, 5, log)).get('/', { readDelay: 5 });
    expect(res.flow).toMatchObject({ bodyEvents: 3, bytesRead: 15, pausedSends: 0 });
  });

  it('a client that leaves releases a waiting send; HEAD bytes never count', async () => {
    const log: string[] = [];
    const client = new TestClient(chunker(3, 5, log));
    const s = await client.stream('GET', '/', { highWaterMark: 0 });
    await s.disconnect();
    expect(s.disconnected).toBe(true);
    const injected = await client.get('/', { highWaterMark: 0, disconnect: { afterChunks: 1 } });
    expect(injected.disconnected).toBe(true);
    const head = await client.head('/', { highWaterMark: 0 });
    expect(head.flow).toMatchObject({ bodyEvents: 3, bytesSent: 0 });
  });

  it('counters are absent without the options', async () => {
    const res = await new TestClient(chunker(1, 1, [])).get('/');
    expect(res.flow).toBeUndefined();
  });
});
