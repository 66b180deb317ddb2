import type { App, Receive, Send, SseScope } from '@pagi/spec';
import { UnsupportedScopeError, validateScope } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { TestClient } from '../src/index.js';

function sseOnly(
  handler: (scope: SseScope, receive: Receive<'sse'>, send: Send<'sse'>) => Promise<void>,
): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'sse') throw new UnsupportedScopeError(scope.type);
    await handler(scope, receive as Receive<'sse'>, send as Send<'sse'>);
  };
}

describe('SSE streams', () => {
  it('builds the sse scope and delivers events as a browser would', async () => {
    let seen: SseScope | undefined;
    const app = sseOnly(async (scope, receive, send) => {
      seen = scope;
      expect(await receive()).toMatchObject({ type: 'sse.request', more: false });
      await send({ type: 'sse.start', headers: [['x-stream', 'yes']] });
      await send({ type: 'sse.send', data: 'line 1\r\nline 2\rline 3\nline 4', event: 'multi' });
      await send({ type: 'sse.comment', comment: 'keepalive' });
      await send({ type: 'sse.send', data: '', id: '42', retry: 1500 });
      await send({ type: 'sse.send', data: 'plain', event: '', id: '' });
      await send({ type: 'sse.comment', comment: ':a\nb' });
      await send({ type: 'sse.keepalive', interval: 15 });
    });
    const sse = await new TestClient(app).sse('/events?since=3');
    validateScope(seen!);
    expect(seen!.type).toBe('sse');
    expect(seen!.method).toBe('GET');
    expect(seen!.query_string).toBe('since=3');
    expect(seen!.headers).toContainEqual(['accept', 'text/event-stream']);
    expect('pagi.connection' in seen!).toBe(false);
    expect(sse.status).toBe(200);
    expect(sse.declined).toBe(false);
    expect(sse.headers).toEqual([
      ['x-stream', 'yes'],
      ['content-type', 'text/event-stream'],
      ['cache-control', 'no-cache'],
    ]);
    const events = [];
    for await (const event of sse) events.push(event);
    expect(events).toEqual([
      { event: 'multi', data: 'line 1\nline 2\nline 3\nline 4' },
      { data: '', id: '42', retry: 1500 },
      { data: 'plain' },
    ]);
    expect(sse.comments).toEqual(['keepalive', 'a', 'b']);
    expect(await sse.next()).toBeUndefined();
    await sse.finished();
  });

  it('delivers a request body as sse.request events', async () => {
    const bodies: string[] = [];
    const app = sseOnly(async (scope, receive, send) => {
      expect(scope.method).toBe('GET');
      while (true) {
        const event = await receive();
        if (event.type !== 'sse.request') break;
        bodies.push(`${Buffer.from(event.body)}:${event.more}`);
        if (!event.more) break;
      }
      await send({ type: 'sse.start', status: 201 });
      await send({ type: 'sse.close' });
    });
    const sse = await new TestClient(app).sse('/', { body: ['a', 'b'] });
    expect(sse.status).toBe(201);
    expect(await sse.next()).toBeUndefined();
    expect(bodies).toEqual(['a:true', 'b:false']);
  });

  it('D-14: a POST with Accept: text/event-stream runs as plain http and reads as a decline', async () => {
    const seen: string[] = [];
    const app: App = async (scope, receive, send) => {
      seen.push(scope.type);
      if (scope.type !== 'http') throw new Error(`expected http, got ${scope.type}`);
      await receive();
      await send({ type: 'http.response.start', status: 405, headers: [['allow', 'GET']] });
      await send({ type: 'http.response.body', body: 'use GET' });
    };
    const sse = await new TestClient(app).sse('/', { method: 'POST', body: 'x' });
    expect(seen).toEqual(['http']);
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(405);
    expect(sse.body.toString()).toBe('use GET');
    expect(await sse.next()).toBeUndefined();
  });

  it('client disconnect: the app gets sse.disconnect client_closed and sends become no-ops', async () => {
    const log: unknown[] = [];
    const app = sseOnly(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'first' });
      const event = await receive();
      log.push(event);
      await send({ type: 'sse.send', data: 'after' });
    });
    const sse = await new TestClient(app).sse('/');
    expect(await sse.next()).toEqual({ data: 'first' });
    await sse.disconnect();
    expect(log).toEqual([{ type: 'sse.disconnect', reason: 'client_closed' }]);
    expect(await sse.next()).toBeUndefined();
  });

  it('sends after the app closed the stream reject, a second close is ignored', async () => {
    const errors: unknown[] = [];
    const app = sseOnly(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await send({ type: 'sse.close', reason: 'done' });
      await send({ type: 'sse.close' });
      await send({ type: 'sse.send', data: 'x' }).catch((e: unknown) => errors.push(e));
      errors.push(await receive());
    });
    const sse = await new TestClient(app).sse('/');
    expect(await sse.next()).toBeUndefined();
    await sse.finished();
    expect(errors[0]).toMatchObject({ code: 'PAGI_ERR_STATE' });
    expect(errors[1]).toEqual({ type: 'sse.disconnect', reason: 'done' });
  });

  it('rejects a newline in an event name', async () => {
    const app = sseOnly(async (_scope, _receive, send) => {
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'x', event: 'a\nb' });
    });
    const sse = await new TestClient(app).sse('/');
    await expect(sse.next()).rejects.toMatchObject({ code: 'PAGI_ERR_VALIDATION' });
  });

  it('times out naming the event it waited for', async () => {
    const app = sseOnly(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.start' });
      await receive();
    });
    const sse = await new TestClient(app, { timeout: 30 }).sse('/');
    await expect(sse.next()).rejects.toThrow('waiting for the next SSE event');
    await sse.disconnect();
  });
});

describe('SSE declines', () => {
  it('a 204 decline ends without a stream', async () => {
    const app = sseOnly(async (_scope, _receive, send) => {
      await send({ type: 'sse.http.response.start', status: 204 });
      await send({ type: 'sse.http.response.body' });
    });
    const sse = await new TestClient(app).sse('/');
    expect(sse.declined).toBe(true);
    expect(sse.status).toBe(204);
    expect(sse.body.length).toBe(0);
    expect(await sse.next()).toBeUndefined();
  });

  it('a 404 decline carries headers and a body in pieces', async () => {
    const app = sseOnly(async (_scope, _receive, send) => {
      await send({ type: 'sse.http.response.start', status: 404, headers: [['content-type', 'text/plain']] });
      await send({ type: 'sse.http.response.body', body: 'not ', more: true });
      await send({ type: 'sse.http.response.body', body: 'here' });
    });
    const sse = await new TestClient(app).sse('/');
    expect(sse.status).toBe(404);
    expect(sse.header('Content-Type')).toBe('text/plain');
    expect(sse.body.toString()).toBe('not here');
  });

  it('a stream event after a decline started rejects', async () => {
    const app = sseOnly(async (_scope, _receive, send) => {
      await send({ type: 'sse.http.response.start', status: 404 });
      await send({ type: 'sse.send', data: 'x' });
    });
    await expect(new TestClient(app).sse('/')).rejects.toMatchObject({ code: 'PAGI_ERR_STATE' });
  });

  it('an app that returns or throws before starting gets a 500', async () => {
    const silent = await new TestClient(sseOnly(async () => {})).sse('/');
    expect(silent.status).toBe(500);
    expect(silent.declined).toBe(true);
    const throws = sseOnly(async () => {
      throw new Error('early');
    });
    await expect(new TestClient(throws).sse('/')).rejects.toThrow('early');
    expect((await new TestClient(throws, { raiseAppErrors: false }).sse('/')).status).toBe(500);
  });

  it('an exception mid-stream reaches the reader under raiseAppErrors', async () => {
    const app = sseOnly(async (_scope, _receive, send) => {
      await send({ type: 'sse.start' });
      await send({ type: 'sse.send', data: 'one' });
      throw new Error('mid');
    });
    const sse = await new TestClient(app).sse('/');
    expect(await sse.next()).toEqual({ data: 'one' });
    await expect(sse.next()).rejects.toThrow('mid');
    const quiet = await new TestClient(app, { raiseAppErrors: false }).sse('/');
    expect(await quiet.next()).toEqual({ data: 'one' });
    expect(await quiet.next()).toBeUndefined();
  });
});

describe('plain requests that the server would treat as SSE (D-14)', () => {
  const app = sseOnly(async (_scope, receive, send) => {
    await receive();
    await send({ type: 'sse.start' });
    await send({ type: 'sse.comment', comment: 'hi' });
    await send({ type: 'sse.send', event: 'tick', data: 'a\nb', id: '1' });
  });

  it('a GET accepting text/event-stream gets an sse scope; the body is the stream bytes', async () => {
    const res = await new TestClient(app).get('/', { headers: { accept: 'text/html, text/event-stream' } });
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe('text/event-stream');
    expect(res.text).toBe(':hi\n\nevent: tick\ndata: a\ndata: b\nid: 1\n\n');
    expect(res.connection.response_complete()).toBe(true);
  });

  it('a decline reads as the ordinary response it is', async () => {
    const declining = sseOnly(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'sse.http.response.start', status: 406 });
      await send({ type: 'sse.http.response.body', body: 'no streams here' });
    });
    const res = await new TestClient(declining).get('/', { headers: { accept: 'text/event-stream' } });
    expect([res.status, res.text]).toEqual([406, 'no streams here']);
  });

  it('q=0, wildcards and other methods stay http', async () => {
    const seen: string[] = [];
    const any: App = async (scope, _receive, send) => {
      seen.push(scope.type);
      if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    };
    const client = new TestClient(any);
    await client.get('/', { headers: { accept: 'text/event-stream;q=0' } });
    await client.get('/', { headers: { accept: '*/*' } });
    await client.post('/', { headers: { accept: 'text/event-stream' } });
    expect(seen).toEqual(['http', 'http', 'http']);
  });
});
