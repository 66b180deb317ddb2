/**
 * `Response#send` hands the body to `send` without waiting when the start's `send()` returned
 * @pagi/spec's `SETTLED` (the server and the test client do), and awaits any other promise first:
 * the body is never sent before a start that is still pending, nor after one that was refused.
 */
import { createServer, type PagiServer } from '@pagi/server';
import { type App, type HttpScope, type Send, type SendEvent, SETTLED } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { afterEach, describe, expect, it } from 'vitest';
import { Response } from '../src/response/response.js';

interface Observed {
  /** Each event's type and whether its `send()` returned `SETTLED`. */
  sends: Array<{ type: string; settled: boolean }>;
  /** The event types handed to `send` before `Response#send` returned. */
  beforeReturn: string[];
  /** Whether `Response#send` itself returned `SETTLED`. */
  returnedSettled: boolean;
}

/** An app answering `Response.json` through a spy on `send` that records what the helper did. */
function observingApp(observed: Observed[]): App {
  return (scope, receive, send) => {
    const seen: Observed = { sends: [], beforeReturn: [], returnedSettled: false };
    observed.push(seen);
    const spy = ((event: SendEvent) => {
      const p = (send as Send)(event);
      seen.sends.push({ type: event.type, settled: p === SETTLED });
      return p;
    }) as Send;
    const result = Response.json({ id: 42 }).send(scope as HttpScope, receive, spy);
    seen.beforeReturn = seen.sends.map((s) => s.type);
    seen.returnedSettled = result === SETTLED;
    return result;
  };
}

const SYNC_PATH: Observed = {
  sends: [
    { type: 'http.response.start', settled: true },
    { type: 'http.response.body', settled: true },
  ],
  beforeReturn: ['http.response.start', 'http.response.body'],
  returnedSettled: true,
};

describe('Response#send and SETTLED', () => {
  let server: PagiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends start and body in one go on @pagi/server, whose send() returns SETTLED', async () => {
    const observed: Observed[] = [];
    server = createServer(observingApp(observed), { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
    await server.listen();
    const res = await fetch(`http://127.0.0.1:${server.port}/users/42`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('9');
    expect(await res.json()).toEqual({ id: 42 });
    expect(observed).toEqual([SYNC_PATH]);
  });

  it('sends start and body in one go through the test client, whose send() returns SETTLED', async () => {
    const observed: Observed[] = [];
    const res = await new TestClient(observingApp(observed)).get('/users/42');
    expect(res.json()).toEqual({ id: 42 });
    expect(observed).toEqual([SYNC_PATH]);
  });

  it('waits for a wrapped async send() before sending the body', async () => {
    const log: string[] = [];
    const app: App = (scope, receive, send) => {
      const wrapped = (async (event: SendEvent) => {
        log.push(`enter ${event.type}`);
        // Several turns, so a body sent early would enter before the start is done.
        for (let i = 0; i < 5; i++) await Promise.resolve();
        await (send as Send)(event);
        log.push(`done ${event.type}`);
      }) as Send;
      return Response.text('ordered').send(scope as HttpScope, receive, wrapped);
    };
    const res = await new TestClient(app).get('/');
    expect(res.text).toBe('ordered');
    expect(log).toEqual([
      'enter http.response.start',
      'done http.response.start',
      'enter http.response.body',
      'done http.response.body',
    ]);
  });

  it('never sends the body after a rejected start, and rejects with its error', async () => {
    const refused = new Error('start refused');
    const types: string[] = [];
    const send = ((event: SendEvent) => {
      types.push(event.type);
      return event.type === 'http.response.start' ? Promise.reject(refused) : SETTLED;
    }) as Send;
    const scope = { type: 'http', method: 'GET' } as HttpScope;
    await expect(Response.json(1).send(scope, (async () => ({})) as never, send)).rejects.toBe(refused);
    // Give a wrongly chained body every chance to arrive.
    await new Promise((resolve) => setImmediate(resolve));
    expect(types).toEqual(['http.response.start']);
  });

  it('turns a send() that throws into a rejection, for the start and for the body', async () => {
    const scope = { type: 'http', method: 'GET' } as HttpScope;
    const receive = (async () => ({})) as never;
    const boom = new Error('thrown by send');
    const throwsAtStart = (() => {
      throw boom;
    }) as Send;
    const atStart = Response.text('x').send(scope, receive, throwsAtStart);
    expect(atStart).toBeInstanceOf(Promise);
    await expect(atStart).rejects.toBe(boom);

    const throwsAtBody = ((event: SendEvent) => {
      if (event.type === 'http.response.body') throw boom;
      return SETTLED;
    }) as Send;
    const atBody = Response.text('x').send(scope, receive, throwsAtBody);
    expect(atBody).toBeInstanceOf(Promise);
    await expect(atBody).rejects.toBe(boom);
  });

  it('awaits a send() that returns no promise at all', async () => {
    const types: string[] = [];
    const send = ((event: SendEvent) => {
      types.push(event.type);
    }) as unknown as Send;
    const scope = { type: 'http', method: 'GET' } as HttpScope;
    await expect(Response.text('x').send(scope, (async () => ({})) as never, send)).resolves.toBeUndefined();
    expect(types).toEqual(['http.response.start', 'http.response.body']);
  });
});
