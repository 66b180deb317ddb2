import { type App, isPagiError, type LifespanScope } from '@pagi/spec';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createServer } from '../../src/server.js';
import { deferred, lineSink, startServer } from '../helpers/start-server.js';

function quiet(app: App, options: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const server = createServer(app, { port: 0, logStream: lineSink(logs), logLevel: 'debug', ...options });
  return { server, logs };
}

describe('lifespan', () => {
  it('runs startup before listening and shutdown on close, sharing state with requests', async () => {
    const order: string[] = [];
    const app: App = async (scope, receive, send) => {
      if (scope.type === 'lifespan') {
        const ls = scope as LifespanScope;
        expect(ls.pagi).toMatchObject({ version: '0.3', is_worker: false, worker_num: null });
        expect(await receive()).toEqual({ type: 'lifespan.startup' });
        ls.state!.db = 'connected';
        order.push('startup');
        await send({ type: 'lifespan.startup.complete' });
        expect(await receive()).toEqual({ type: 'lifespan.shutdown' });
        order.push('shutdown');
        await send({ type: 'lifespan.shutdown.complete' });
        return;
      }
      if (scope.type !== 'http') throw new Error('unsupported');
      order.push(`request:${String(scope.state?.db)}`);
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'ok' });
    };
    const s = await startServer(app, { lifespan: 'on' });
    order.push('listening');
    await (await request(s.url)).body.text();
    await s.close();
    expect(order).toEqual(['startup', 'listening', 'request:connected', 'shutdown']);
  });

  it('rejects listen() with PAGI_ERR_LIFESPAN_STARTUP and the app message on startup.failed', async () => {
    const { server } = quiet(async (scope, _receive, send) => {
      if (scope.type === 'lifespan')
        await send({ type: 'lifespan.startup.failed', message: 'database unreachable' });
    });
    const error = await server.listen().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPagiError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('PAGI_ERR_LIFESPAN_STARTUP');
    expect((error as Error).message).toContain('database unreachable');
    expect(server.httpServer.listening).toBe(false);
  });

  it.each([
    [
      'throws',
      (async () => {
        throw new Error('lifespan? never heard of it');
      }) as App,
    ],
    ['returns without signalling', (async () => {}) as App],
  ])('treats an app that %s as not supporting lifespan in auto mode', async (_name, lifespanApp) => {
    const app: App = async (scope, receive, send) => {
      if (scope.type === 'lifespan') return lifespanApp(scope, receive, send);
      expect(scope.state).toEqual({});
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    };
    const { server, logs } = quiet(app);
    await server.listen();
    expect((await request(server.url)).statusCode).toBe(204);
    await server.close();
    expect(
      logs.some((l) => l.startsWith('pagi-server info') && l.includes('does not support lifespan')),
    ).toBe(true);
  });

  it('makes a decline fatal in on mode, with the app message', async () => {
    const { server } = quiet(
      async () => {
        throw new Error('no lifespan here');
      },
      { lifespan: 'on' },
    );
    await expect(server.listen()).rejects.toThrow(/no lifespan here/);
  });

  it('never calls the app with a lifespan scope in off mode', async () => {
    const types: string[] = [];
    const { server } = quiet(
      async (scope, _receive, send) => {
        types.push(scope.type);
        await send({ type: 'http.response.start', status: 204 } as never);
        await send({ type: 'http.response.body' } as never);
      },
      { lifespan: 'off' },
    );
    await server.listen();
    await (await request(server.url)).body.text();
    await server.close();
    expect(types).toEqual(['http']);
  });

  it('fails startup that does not signal within lifespanStartupTimeout', async () => {
    const { server } = quiet(async () => new Promise(() => {}), { lifespanStartupTimeout: 50 });
    await expect(server.listen()).rejects.toThrow(/within 50 ms/);
  });

  it('bounds lifespan shutdown by shutdownTimeout', async () => {
    const gotShutdown = deferred();
    const { server, logs } = quiet(
      async (scope, receive, send) => {
        if (scope.type !== 'lifespan') return;
        await receive();
        await send({ type: 'lifespan.startup.complete' });
        await receive();
        gotShutdown.resolve();
        await new Promise(() => {}); // never completes
      },
      { shutdownTimeout: 50 },
    );
    await server.listen();
    await server.close();
    await gotShutdown.promise;
    expect(logs.some((l) => l.includes('did not finish within 50 ms'))).toBe(true);
  });

  it('logs a lifespan task that fails after startup and keeps serving', async () => {
    const crash = deferred();
    const { server, logs } = quiet(async (scope, receive, send) => {
      if (scope.type === 'lifespan') {
        await receive();
        await send({ type: 'lifespan.startup.complete' });
        await crash.promise;
        throw new Error('background task died');
      }
      await send({ type: 'http.response.start', status: 204 } as never);
      await send({ type: 'http.response.body' } as never);
    });
    await server.listen();
    crash.resolve();
    await expect
      .poll(() => logs.some((l) => l.startsWith('pagi-server error') && l.includes('lifespan')))
      .toBe(true);
    expect((await request(server.url)).statusCode).toBe(204);
    await server.close();
  });

  it('rejects unknown and out-of-order lifespan events', async () => {
    const codes: string[] = [];
    const { server } = quiet(async (scope, receive, send) => {
      if (scope.type !== 'lifespan') return;
      await receive();
      for (const ev of [
        { type: 'lifespan.shutdown.complete' },
        { type: 'http.response.start', status: 200 },
      ]) {
        try {
          await send(ev as never);
        } catch (error) {
          codes.push((error as { code: string }).code);
        }
      }
      await send({ type: 'lifespan.startup.complete' });
    });
    await server.listen();
    await server.close();
    expect(codes).toEqual(['PAGI_ERR_STATE', 'PAGI_ERR_UNKNOWN_EVENT']);
  });
});
