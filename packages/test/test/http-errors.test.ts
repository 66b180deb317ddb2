import { isPagiError } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { TestClient, TestTimeoutError } from '../src/index.js';
import { httpOnly } from './apps.js';

class Boom extends Error {}

describe('protocol violations reject the app send()', () => {
  it('body before start is a PagiStateError that reaches the test', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.body', body: 'x' });
    });
    const error = await new TestClient(app).get('/').catch((e: unknown) => e);
    expect(isPagiError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'PAGI_ERR_STATE' });
  });

  it('a second start, an unknown event type and a bad header all reject', async () => {
    const cases: [string, (send: (e: never) => Promise<void>) => Promise<void>][] = [
      [
        'PAGI_ERR_STATE',
        async (send) => {
          await send({ type: 'http.response.start', status: 200 } as never);
          await send({ type: 'http.response.start', status: 200 } as never);
        },
      ],
      ['PAGI_ERR_UNKNOWN_EVENT', (send) => send({ type: 'websocket.accept' } as never)],
      [
        'PAGI_ERR_VALIDATION',
        (send) => send({ type: 'http.response.start', status: 200, headers: [['x-a', 'b\nc']] } as never),
      ],
    ];
    for (const [code, act] of cases) {
      const seen: unknown[] = [];
      const app = httpOnly(async (_scope, _receive, send) => {
        try {
          await act(send as never);
        } catch (error) {
          seen.push(error);
          throw error;
        }
      });
      await expect(new TestClient(app).get('/')).rejects.toMatchObject({ code });
      expect(seen).toHaveLength(1);
    }
  });

  it('an app that catches the violation can still answer', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.trailers' }).catch(() => {});
      await send({ type: 'http.response.start', status: 418 });
      await send({ type: 'http.response.body' });
    });
    expect((await new TestClient(app).get('/')).status).toBe(418);
  });
});

describe('app exceptions and the 500 backstop', () => {
  const throwsBeforeStart = httpOnly(async () => {
    throw new Boom('before start');
  });

  it('rejects the call with the app error by default', async () => {
    await expect(new TestClient(throwsBeforeStart).get('/')).rejects.toBeInstanceOf(Boom);
  });

  it('answers 500 when raiseAppErrors is false, on the abnormal path', async () => {
    const res = await new TestClient(throwsBeforeStart, { raiseAppErrors: false }).get('/');
    expect(res.status).toBe(500);
    expect(res.text).toBe('Internal Server Error\n');
    expect(res.header('content-length')).toBe('22');
    expect(res.connection.response_started()).toBe(true);
    expect(res.connection.disconnect_reason()).toBe('server_error');
    expect(res.events).toEqual([]);
  });

  it('answers 500 for an app that returns without a response, in both modes', async () => {
    const silent = httpOnly(async () => {});
    for (const raiseAppErrors of [true, false]) {
      const res = await new TestClient(silent, { raiseAppErrors }).get('/');
      expect(res.status).toBe(500);
      expect(res.connection.disconnect_reason()).toBe('server_error');
    }
  });

  it('sends no 500 when the client had already left', async () => {
    const silent = httpOnly(async () => {});
    const res = await new TestClient(silent).get('/', { disconnect: 'before-body' });
    expect(res.status).toBe(0);
    expect(res.connection.disconnect_reason()).toBe('client_closed');
  });

  it('an exception after start rejects by default and truncates otherwise', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'partial', more: true });
      throw new Boom('mid-body');
    });
    await expect(new TestClient(app).get('/')).rejects.toBeInstanceOf(Boom);
    const res = await new TestClient(app, { raiseAppErrors: false }).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toBe('partial');
    expect(res.connection.disconnect_reason()).toBe('server_error');
    expect(res.connection.response_complete?.()).toBe(false);
  });

  it('reports a response cut mid-body as aborted (D-12), whether the app threw or returned', async () => {
    const threw = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'partial', more: true });
      throw new Boom('mid-body');
    });
    const returned = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'partial', more: true });
    });
    const a = await new TestClient(threw, { raiseAppErrors: false }).get('/');
    expect([a.status, a.text, a.aborted]).toEqual([200, 'partial', true]);
    for (const raiseAppErrors of [true, false]) {
      const b = await new TestClient(returned, { raiseAppErrors }).get('/');
      expect([b.status, b.text, b.aborted]).toEqual([200, 'partial', true]);
      expect(b.connection.disconnect_reason()).toBe('server_error');
    }
    const s = await new TestClient(returned).stream('GET', '/');
    expect(await s.text()).toBe('partial');
    expect(s.aborted).toBe(true);
  });

  it('does not report a complete response, or one missing only its promised trailers, as aborted', async () => {
    const complete = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'a', more: true });
      await send({ type: 'http.response.body', body: 'b' });
    });
    const noTrailers = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200, trailers: true });
      await send({ type: 'http.response.body', body: 'data' });
    });
    expect((await new TestClient(complete).get('/')).aborted).toBe(false);
    const res = await new TestClient(noTrailers).get('/');
    expect([res.text, res.aborted, res.trailers]).toEqual(['data', false, []]);
  });

  it('an exception thrown by a streaming app reaches the reader', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'a', more: true });
      throw new Boom('stream');
    });
    const s = await new TestClient(app).stream('GET', '/');
    await expect(s.text()).rejects.toBeInstanceOf(Boom);
  });

  it('an exception after the response completed still rejects under raiseAppErrors', async () => {
    const app = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'done' });
      throw new Boom('after');
    });
    await expect(new TestClient(app).get('/')).rejects.toBeInstanceOf(Boom);
    const res = await new TestClient(app, { raiseAppErrors: false }).get('/');
    expect(res.text).toBe('done');
  });

  it('an exception in an on_complete callback is reported under raiseAppErrors', async () => {
    const app = httpOnly(async (scope, _receive, send) => {
      scope['pagi.connection'].on_complete?.(() => {
        throw new Boom('callback');
      });
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    });
    await expect(new TestClient(app).get('/')).rejects.toBeInstanceOf(Boom);
  });
});

describe('timeouts', () => {
  it('names the response start when the app never answers', async () => {
    const hangs = httpOnly(() => new Promise<void>(() => {}));
    const error = await new TestClient(hangs, { timeout: 50 }).get('/p').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestTimeoutError);
    expect(error).toMatchObject({ code: 'PAGI_ERR_TEST_TIMEOUT' });
    expect((error as Error).message).toBe('timed out after 50 ms waiting for http.response.start for GET /p');
  });

  it('names the next chunk when a stream stalls', async () => {
    const stalls = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'a', more: true });
      await new Promise(() => {});
    });
    await expect(new TestClient(stalls, { timeout: 50 }).get('/')).rejects.toThrow(
      'waiting for the next response body chunk',
    );
  });

  it('names the app return when the app lingers after its response', async () => {
    const lingers = httpOnly(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'a' });
      await new Promise(() => {});
    });
    await expect(new TestClient(lingers, { timeout: 50 }).get('/')).rejects.toThrow(
      'waiting for the app to return after its response',
    );
  });

  it('rejects a non-positive timeout option', () => {
    expect(
      () =>
        new TestClient(
          httpOnly(async () => {}),
          { timeout: 0 },
        ),
    ).toThrow(/positive number/);
  });
});
