import type { App, LifespanScope } from '@pagi/spec';
import { validateScope } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { LifespanShutdownError, LifespanStartupError, TestClient } from '../src/index.js';

/** A typical app: a pool in lifespan state, read by HTTP requests. */
function appWithLifespan(log: string[], opts: { failStartup?: string; failShutdown?: string } = {}): App {
  return async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      while (true) {
        const event = await receive();
        if (event.type === 'lifespan.startup') {
          log.push('startup');
          if (opts.failStartup !== undefined) {
            await send({ type: 'lifespan.startup.failed', message: opts.failStartup });
            return;
          }
          scope.state!.pool = { name: 'db' };
          await send({ type: 'lifespan.startup.complete' });
        } else if (event.type === 'lifespan.shutdown') {
          log.push('shutdown');
          if (opts.failShutdown !== undefined) {
            await send({ type: 'lifespan.shutdown.failed', message: opts.failShutdown });
          } else {
            await send({ type: 'lifespan.shutdown.complete' });
          }
          return;
        }
      }
    }
    if (scope.type !== 'http') throw new Error(`unexpected ${scope.type}`);
    const pool = scope.state?.pool as { name: string } | undefined;
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: pool?.name ?? 'none' });
  };
}

describe('lifespan', () => {
  it('fills state at startup; requests see a shallow copy', async () => {
    const log: string[] = [];
    let lifespanScope: LifespanScope | undefined;
    const inner = appWithLifespan(log);
    const client = new TestClient(async (scope, receive, send) => {
      if (scope.type === 'lifespan') lifespanScope = scope;
      await inner(scope, receive, send);
    });
    await client.startup();
    validateScope(lifespanScope);
    expect(lifespanScope!.pagi).toEqual({
      version: '0.3',
      spec_version: '0.3',
      is_worker: false,
      worker_num: null,
    });
    expect(client.state).toEqual({ pool: { name: 'db' } });
    expect((await client.get('/')).text).toBe('db');
    await client.shutdown();
    expect(log).toEqual(['startup', 'shutdown']);
  });

  it('lifespan(block) runs startup, the block and shutdown, also when the block throws', async () => {
    const log: string[] = [];
    const client = new TestClient(appWithLifespan(log));
    const text = await client.lifespan(async () => (await client.get('/')).text);
    expect(text).toBe('db');
    await expect(
      client.lifespan(async () => {
        throw new Error('block failed');
      }),
    ).rejects.toThrow('block failed');
    expect(log).toEqual(['startup', 'shutdown', 'startup', 'shutdown']);
  });

  it('startup.failed rejects with LifespanStartupError carrying the message', async () => {
    const client = new TestClient(appWithLifespan([], { failStartup: 'no database' }));
    const error = await client.startup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LifespanStartupError);
    expect(error).toMatchObject({ code: 'PAGI_ERR_LIFESPAN_STARTUP', message: 'no database' });
  });

  it('shutdown.failed rejects with LifespanShutdownError', async () => {
    const client = new TestClient(appWithLifespan([], { failShutdown: 'flush failed' }));
    await client.startup();
    await expect(client.shutdown()).rejects.toBeInstanceOf(LifespanShutdownError);
  });

  it('an app that throws or returns on lifespan declines; state stays as it was', async () => {
    const throws: App = async (scope) => {
      if (scope.type === 'lifespan') throw new Error('lifespan not supported');
    };
    const returns: App = async () => {};
    for (const app of [throws, returns]) {
      const client = new TestClient(app);
      await client.startup();
      expect(client.state).toEqual({});
      await client.shutdown();
    }
    const seeded = new TestClient(returns, { state: { seeded: 1 } });
    await seeded.lifespan(async () => {});
    expect(seeded.state).toEqual({ seeded: 1 });
  });

  it('an exception after startup surfaces at shutdown', async () => {
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'lifespan') return;
      await receive();
      await send({ type: 'lifespan.startup.complete' });
      throw new Error('background crash');
    };
    const client = new TestClient(app);
    await client.startup();
    await expect(client.shutdown()).rejects.toThrow('background crash');
    const quiet = new TestClient(app, { raiseAppErrors: false });
    await quiet.startup();
    await quiet.shutdown();
  });

  it('refuses a second startup before shutdown, and times out naming the wait', async () => {
    const client = new TestClient(appWithLifespan([]));
    await client.startup();
    await expect(client.startup()).rejects.toMatchObject({ code: 'PAGI_ERR_STATE' });
    await client.shutdown();
    const hangs = new TestClient(() => new Promise(() => {}), { timeout: 30 });
    await expect(hangs.startup()).rejects.toThrow('waiting for lifespan.startup.complete');
  });

  it('an out-of-order lifespan reply is a protocol error', async () => {
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'lifespan') return;
      await receive();
      await send({ type: 'lifespan.shutdown.complete' });
    };
    // The violation rejects the app's send; the app throws it, which counts as a decline.
    const errors: unknown[] = [];
    const client = new TestClient(async (scope, receive, send) => {
      try {
        await app(scope, receive, send);
      } catch (error) {
        errors.push(error);
        throw error;
      }
    });
    await client.startup();
    expect(errors[0]).toMatchObject({ code: 'PAGI_ERR_STATE' });
  });
});
