import { connect, constants, createServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenQuietly } from './stream-listener.js';

/**
 * listenQuietly writes EventEmitter's own storage: these fail if node stops reading listeners from
 * it, or a reset stream stops reporting itself through 'close' and 'error'.
 */
describe('listenQuietly', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  /** A server whose streams get `handler`; resolves with a connected client session. */
  async function pair(handler: (stream: ServerHttp2Stream) => void) {
    const server = createServer();
    server.on('stream', handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client.on('error', () => {});
    cleanup.push(() => {
      client.destroy();
      server.close();
    });
    return client;
  }

  it('is a listener to emit, listeners() and a later on(), and counts in _eventsCount', async () => {
    let seen!: ServerHttp2Stream;
    const client = await pair((stream) => {
      seen = stream;
      stream.respond({ ':status': 200 });
      stream.end();
    });
    const req = client.request({ ':path': '/' });
    req.resume();
    await new Promise((resolve) => req.on('close', resolve));
    const stream = seen;
    const count = (stream as unknown as { _eventsCount: number })._eventsCount;
    const calls: string[] = [];
    const first = () => calls.push('first');
    listenQuietly(stream, 'error', first);
    expect(stream.listeners('error')).toEqual([first]);
    expect(stream.listenerCount('error')).toBe(1);
    expect((stream as unknown as { _eventsCount: number })._eventsCount).toBe(count + 1);
    const second = () => calls.push('second');
    stream.on('error', second);
    listenQuietly(stream, 'error', () => calls.push('third')); // a second one goes through on()
    stream.emit('error', new Error('x'));
    expect(calls).toEqual(['first', 'second', 'third']);
    stream.removeListener('error', first);
    expect(stream.listenerCount('error')).toBe(2);
  });

  it("hears a client's reset with an error code through 'close', and its 'error' keeps node from throwing", async () => {
    const events: string[] = [];
    let opened!: () => void;
    const serverHasStream = new Promise<void>((resolve) => {
      opened = resolve;
    });
    let rstCode!: (code: number | undefined) => void;
    const closed = new Promise<number | undefined>((resolve) => {
      rstCode = resolve;
    });
    const client = await pair((stream) => {
      listenQuietly(stream, 'error', () => events.push('error'));
      listenQuietly(stream, 'close', () => {
        events.push('close');
        rstCode(stream.rstCode);
      });
      opened();
    });
    const req = client.request({ ':path': '/', ':method': 'POST' }, { endStream: false });
    req.on('error', () => {});
    await serverHasStream;
    req.close(constants.NGHTTP2_INTERNAL_ERROR);
    // node 20 emits ERR_HTTP2_STREAM_ERROR for this reset, and throws it without an 'error' listener.
    expect(await closed).toBe(constants.NGHTTP2_INTERNAL_ERROR);
    expect(events).toEqual(['error', 'close']);
  });
});
