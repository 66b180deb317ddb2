/**
 * The client's `send()` returns @pagi/spec's shared `SETTLED` wherever it took the event
 * synchronously, as `@pagi/server` does (so helpers take the same path in tests as in
 * production), a pending promise while a file body is read, and a rejection for a refused event.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type Send, type SendEvent, SETTLED } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { TestClient } from '../src/index.js';

describe('send() and SETTLED', () => {
  it('returns SETTLED for every HTTP event it takes synchronously', async () => {
    const settled: Array<[string, boolean]> = [];
    const app: App = async (_scope, _receive, send) => {
      for (const event of [
        { type: 'http.response.start', status: 200, headers: [], trailers: true },
        { type: 'http.response.body', body: 'a', more: true },
        { type: 'http.response.body', body: 'b' },
        { type: 'http.response.trailers', headers: [['x-t', '1']] },
      ] as SendEvent[]) {
        const p = (send as Send)(event);
        settled.push([event.type, p === SETTLED]);
        await p;
      }
    };
    const res = await new TestClient(app).get('/');
    expect(res.text).toBe('ab');
    expect(settled.every(([, s]) => s)).toBe(true);
    expect(settled).toHaveLength(4);
  });

  it('returns a pending promise while a file body is read, then delivers it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pagi-test-settled-'));
    try {
      const file = join(dir, 'f.txt');
      await writeFile(file, 'from disk');
      let fileSend: Promise<void> | undefined;
      const app: App = async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200, headers: [] });
        fileSend = (send as Send)({ type: 'http.response.body', file } as SendEvent);
        await fileSend;
      };
      const res = await new TestClient(app).get('/');
      expect(res.text).toBe('from disk');
      expect(fileSend).toBeInstanceOf(Promise);
      expect(fileSend).not.toBe(SETTLED);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a refused event instead of throwing, and returns SETTLED after the client left', async () => {
    let refused: unknown;
    let afterLeaving: unknown;
    const app: App = async (_scope, _receive, send) => {
      const p = (send as Send)({ type: 'http.response.body', body: 'early' } as SendEvent);
      expect(p).toBeInstanceOf(Promise);
      refused = await p.then(
        () => undefined,
        (error: unknown) => error,
      );
      await send({ type: 'http.response.start', status: 200, headers: [] });
      afterLeaving = (send as Send)({ type: 'http.response.body', body: 'x' } as SendEvent);
    };
    await new TestClient(app).get('/', { disconnect: 'after-response-start' });
    expect(refused).toMatchObject({ code: 'PAGI_ERR_STATE' });
    expect(afterLeaving).toBe(SETTLED);
  });

  it('returns SETTLED from WebSocket and SSE sends', async () => {
    const seen: boolean[] = [];
    const ws: App = async (_scope, receive, send) => {
      await receive();
      seen.push((send as Send)({ type: 'websocket.accept' } as SendEvent) === SETTLED);
      seen.push((send as Send)({ type: 'websocket.send', text: 'hi' } as SendEvent) === SETTLED);
      seen.push((send as Send)({ type: 'websocket.close' } as SendEvent) === SETTLED);
    };
    const socket = await new TestClient(ws).websocket('/');
    expect(await socket.receiveText()).toBe('hi');
    await socket.close();
    const sse: App = async (_scope, _receive, send) => {
      seen.push((send as Send)({ type: 'sse.start' } as SendEvent) === SETTLED);
      seen.push((send as Send)({ type: 'sse.send', data: 'x' } as SendEvent) === SETTLED);
    };
    const stream = await new TestClient(sse).sse('/');
    expect((await stream.next())?.data).toBe('x');
    await stream.disconnect();
    expect(seen).toEqual([true, true, true, true, true]);
  });
});
