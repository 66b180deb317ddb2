import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { type StartedServer, startServer } from '../helpers/start-server.js';
import { h2Connect, h2Request } from './h2-client.js';
import { FLAG, FRAME, frame, goawayCode, type ParsedFrame, rawH2, requestBlock } from './raw-frames.js';

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

const slowHello: App = async (_scope, _receive, send) => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  await send({ type: 'http.response.start', status: 200, headers: [] });
  await send({ type: 'http.response.body', body: 'hello' });
};

const isGoaway = (f: ParsedFrame): boolean => f.type === FRAME.GOAWAY;
const CANCEL = Buffer.from([0, 0, 0, 8]);

/** The server still serves a fresh connection after an attack on another one. */
async function stillServes(url: string): Promise<void> {
  const session = await h2Connect(url);
  const res = await h2Request(session, { ':path': '/' });
  session.close();
  expect(res.body.toString()).toBe('hello');
}

describe('HTTP/2 limits and flood defences (raw frames)', () => {
  it('advertises the stream, header-list, window and frame limits in its SETTINGS', async () => {
    started = await startServer(slowHello, {
      http2: true,
      http2MaxConcurrentStreams: 7,
      http2MaxHeaderListSize: 4096,
      http2InitialWindowSize: 100_000,
      http2MaxFrameSize: 32768,
    });
    const client = await rawH2(started.port);
    const settings = await client.waitFor((f) => f.type === FRAME.SETTINGS && (f.flags & FLAG.ACK) === 0);
    const values = new Map<number, number>();
    for (let i = 0; i + 6 <= settings.payload.length; i += 6)
      values.set(settings.payload.readUInt16BE(i), settings.payload.readUInt32BE(i + 2));
    client.socket.destroy();
    expect(values.get(0x3)).toBe(7); // MAX_CONCURRENT_STREAMS
    expect(values.get(0x4)).toBe(100_000); // INITIAL_WINDOW_SIZE
    expect(values.get(0x5)).toBe(32768); // MAX_FRAME_SIZE
    expect(values.get(0x6)).toBe(4096); // MAX_HEADER_LIST_SIZE
    expect(values.get(0x2)).toBe(0); // ENABLE_PUSH off
  });

  it('answers Rapid Reset (streams opened and reset at once, CVE-2023-44487) with GOAWAY', async () => {
    // After a fatal GOAWAY node keeps the socket until it goes idle: http2IdleTimeout closes it.
    started = await startServer(slowHello, { http2: true, http2IdleTimeout: 300 });
    const client = await rawH2(started.port);
    for (let i = 0; i < 3000; i++) {
      const id = 1 + 2 * i;
      client.send(
        frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, id, requestBlock()),
        frame(FRAME.RST_STREAM, 0, id, CANCEL),
      );
    }
    const goaway = await client.waitFor(isGoaway);
    expect(goawayCode(goaway)).not.toBe(0);
    await client.closed;
    await stillServes(started.url);
  });

  it('answers a CONTINUATION flood (CVE-2024-27983 family) with GOAWAY', async () => {
    started = await startServer(slowHello, { http2: true });
    const client = await rawH2(started.port);
    client.send(frame(FRAME.HEADERS, 0, 1, requestBlock()));
    const field = Buffer.from([0x00, 1, 0x78, 1, 0x79]); // x: y, again and again
    for (let i = 0; i < 10_000; i++) client.send(frame(FRAME.CONTINUATION, 0, 1, field));
    expect(goawayCode(await client.waitFor(isGoaway))).not.toBe(0);
    await client.closed;
    await stillServes(started.url);
  });

  it('answers PING and SETTINGS floods with GOAWAY', async () => {
    started = await startServer(slowHello, { http2: true });
    for (const flood of [
      frame(FRAME.PING, 0, 0, Buffer.alloc(8)),
      frame(FRAME.SETTINGS, 0, 0, Buffer.from([0, 4, 0, 0, 0xff, 0xff])),
    ]) {
      const client = await rawH2(started.port);
      client.socket.pause(); // never read the ACKs: they pile up on the server
      client.send(Buffer.concat(Array.from({ length: 50_000 }, () => flood)));
      client.socket.resume();
      expect(goawayCode(await client.waitFor(isGoaway))).not.toBe(0);
      await client.closed;
    }
    await stillServes(started.url);
  });

  it('closes the connection with a PROTOCOL_ERROR GOAWAY on a malformed frame', async () => {
    started = await startServer(slowHello, { http2: true, http2IdleTimeout: 300 });
    const client = await rawH2(started.port);
    client.send(frame(FRAME.DATA, 0, 0, Buffer.from('x'))); // DATA on stream 0 (RFC 9113 §6.1)
    expect(goawayCode(await client.waitFor(isGoaway))).toBe(1);
    await client.closed;
  });

  it('refuses a stream over the header count limit with 431', async () => {
    started = await startServer(slowHello, { http2: true, maxHeaderCount: 10 });
    const session = await h2Connect(started.url);
    const headers: Record<string, string> = { ':path': '/' };
    for (let i = 0; i < 11; i++) headers[`x-h${i}`] = 'v';
    const res = await h2Request(session, headers);
    const ok = await h2Request(session, { ':path': '/' });
    session.close();
    expect(res.status === 431 || res.rstCode !== 0).toBe(true);
    expect(ok.body.toString()).toBe('hello');
  });

  it('refuses a header list over http2MaxHeaderListSize and keeps serving the connection', async () => {
    started = await startServer(slowHello, { http2: true, http2MaxHeaderListSize: 4096 });
    const session = await h2Connect(started.url);
    session.on('error', () => {});
    const big = await h2Request(session, { ':path': '/', 'x-big': 'a'.repeat(8000) });
    const ok = await h2Request(session, { ':path': '/' });
    session.close();
    expect(big.status === 431 || big.rstCode !== 0).toBe(true);
    expect(big.body.toString()).not.toBe('hello');
    expect(ok.body.toString()).toBe('hello');
  });

  it('after the client acknowledged SETTINGS, nghttp2 itself resets a stream over the header list size', async () => {
    started = await startServer(slowHello, { http2: true, http2MaxHeaderListSize: 4096 });
    const client = await rawH2(started.port);
    await client.waitFor((f) => f.type === FRAME.SETTINGS && (f.flags & FLAG.ACK) === 0);
    client.send(frame(FRAME.SETTINGS, FLAG.ACK, 0));
    await client.waitFor((f) => f.type === FRAME.SETTINGS && (f.flags & FLAG.ACK) !== 0);
    const value = 'a'.repeat(8000);
    // Literal field, 7-bit prefix integer for the 8000-byte value (RFC 7541 §5.1).
    const length = [127, ((8000 - 127) & 127) | 128, (8000 - 127) >> 7];
    const block = Buffer.concat([
      requestBlock(),
      Buffer.from([0x00, 5]),
      Buffer.from('x-big'),
      Buffer.from(length),
      Buffer.from(value),
    ]);
    client.send(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, block));
    const answer = await client.waitFor(
      (f) => f.streamId === 1 && (f.type === FRAME.HEADERS || f.type === FRAME.RST_STREAM),
    );
    client.socket.destroy();
    expect(answer.type).toBe(FRAME.RST_STREAM);
    expect(answer.payload.readUInt32BE(0)).toBe(11); // ENHANCE_YOUR_CALM
  });

  it('refuses streams over http2MaxConcurrentStreams (REFUSED_STREAM), even before the SETTINGS ACK', async () => {
    let running = 0;
    let peak = 0;
    const release = new Promise((resolve) => setTimeout(resolve, 300));
    started = await startServer(
      async (_scope, _receive, send) => {
        running++;
        peak = Math.max(peak, running);
        await release;
        running--;
        await send({ type: 'http.response.start', status: 200, headers: [] });
        await send({ type: 'http.response.body', body: 'x' });
      },
      { http2: true, http2MaxConcurrentStreams: 2 },
    );
    const client = await rawH2(started.port);
    for (let i = 0; i < 10; i++)
      client.send(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1 + 2 * i, requestBlock()));
    const refused = (): number =>
      client.frames.filter((f) => f.type === FRAME.RST_STREAM && f.payload.readUInt32BE(0) === 7).length;
    for (let waited = 0; refused() < 8 && waited < 10_000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    client.socket.destroy();
    expect(refused()).toBe(8);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('closes an idle connection with GOAWAY after http2IdleTimeout', async () => {
    started = await startServer(slowHello, { http2: true, http2IdleTimeout: 200 });
    const client = await rawH2(started.port);
    client.send(frame(FRAME.SETTINGS, FLAG.ACK, 0));
    expect(goawayCode(await client.waitFor(isGoaway))).toBe(0);
    await client.closed;
  });
});
