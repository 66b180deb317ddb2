import { type App, isPagiError, UnsupportedScopeError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { EventStream } from '../src/sse/event-stream.js';

function sseApp(fn: (sse: EventStream) => Promise<unknown>) {
  let settle!: (v: { value?: unknown; error?: unknown }) => void;
  const done = new Promise<{ value?: unknown; error?: unknown }>((r) => (settle = r));
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'sse') throw new UnsupportedScopeError(scope.type);
    const sse = new EventStream(scope, receive, send);
    try {
      settle({ value: await fn(sse) });
    } catch (error) {
      settle({ error });
    }
  };
  return { app, done };
}

describe('EventStream', () => {
  it('resumes from Last-Event-ID and sends events, JSON and comments', async () => {
    const { app } = sseApp(async (sse) => {
      await sse.start({ headers: { 'x-stream': '1' } });
      const from = Number(sse.lastEventId ?? 0);
      await sse.comment('hello');
      await sse.send({ event: 'tick', data: 'line1\nline2', id: String(from + 1), retry: 1500 });
      await sse.sendJson({ n: from + 2 }, { id: String(from + 2) });
      await sse.send({ data: '' });
      await sse.close();
    });
    const client = new TestClient(app);
    const stream = await client.sse('/events', { headers: { 'last-event-id': '41' } });
    expect(stream.status).toBe(200);
    expect(stream.header('x-stream')).toBe('1');
    const events = [];
    for await (const ev of stream) events.push(ev);
    expect(events).toEqual([
      { event: 'tick', data: 'line1\nline2', id: '42', retry: 1500 },
      { data: '{"n":43}', id: '43' },
      { data: '' },
    ]);
    expect(stream.comments).toContain('hello');
  });

  it('reports lastEventId as undefined without the header', async () => {
    const { app, done } = sseApp(async (sse) => {
      const id = sse.lastEventId;
      await sse.close();
      return id ?? 'none';
    });
    await new TestClient(app).sse('/');
    expect((await done).value).toBe('none');
  });

  it('settles `disconnected` and runs onDisconnect when the client goes, skipping sse.request', async () => {
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const { app, done } = sseApp(async (sse) => {
      const calls: string[] = [];
      sse.onDisconnect((r) => calls.push(`cb:${r}`));
      await sse.start();
      await sse.send({ data: 'first' });
      // The test read 'first' before opening the gate: the request body event has been consumed
      // by now and must not have counted as a disconnect.
      await gate;
      calls.push(`connected:${sse.isConnected}`);
      const reason = await sse.disconnected;
      sse.onDisconnect((r) => calls.push(`late:${r}`));
      // Sends after the client left are harmless no-ops.
      await sse.send({ data: 'ignored' });
      return { reason, calls, connected: sse.isConnected };
    });
    const stream = await new TestClient(app).sse('/', { body: 'payload' });
    expect(await stream.next()).toEqual({ data: 'first' });
    openGate();
    await stream.disconnect();
    expect((await done).value).toEqual({
      reason: 'client_closed',
      calls: ['connected:true', 'cb:client_closed', 'late:client_closed'],
      connected: false,
    });
  });

  it('refuses sends after close(), and close() twice sends one sse.close', async () => {
    const { app, done } = sseApp(async (sse) => {
      await sse.start();
      await sse.close('done');
      await sse.close('again');
      return sse.send({ data: 'x' }).catch((e) => (isPagiError(e) ? e.code : 'other'));
    });
    const stream = await new TestClient(app).sse('/');
    await stream.finished();
    expect((await done).value).toBe('PAGI_ERR_STATE');
    expect(stream.events.filter((e) => (e as { type: string }).type === 'sse.close')).toEqual([
      { type: 'sse.close', reason: 'done' },
    ]);
  });

  it('declines with an ordinary HTTP response before start, and not after', async () => {
    const { app } = sseApp(async (sse) => sse.decline(204));
    const declined = await new TestClient(app).sse('/');
    expect(declined.declined).toBe(true);
    expect(declined.status).toBe(204);

    const late = sseApp(async (sse) => {
      await sse.start();
      const code = await sse.decline(404).catch((e) => e.code);
      await sse.close();
      return code;
    });
    await new TestClient(late.app).sse('/');
    expect((await late.done).value).toBe('PAGI_ERR_STATE');
  });

  it('validates event/id/retry and sends keepalive', async () => {
    const { app, done } = sseApp(async (sse) => {
      const codes: unknown[] = [];
      for (const bad of [
        { data: 'x', event: 'a\nb' },
        { data: 'x', id: 'a\rb' },
        { data: 'x', retry: -1 },
      ]) {
        await sse.send(bad).catch((e) => codes.push(e.code));
      }
      await sse.keepalive(15, 'ping');
      await sse.close();
      return codes;
    });
    const stream = await new TestClient(app).sse('/');
    await stream.finished();
    expect((await done).value).toEqual(Array(3).fill('PAGI_ERR_VALIDATION'));
    expect(stream.events).toContainEqual({ type: 'sse.keepalive', interval: 15, comment: 'ping' });
  });
});
