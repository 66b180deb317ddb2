import { type App, UnsupportedScopeError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { Lifespan, lifespan } from '../src/lifespan/lifespan.js';
import { Response } from '../src/response/response.js';

/** A plain app that declines lifespan and answers HTTP with the state it sees. */
const stateEcho: App = async (scope, receive, send) => {
  if (scope.type === 'lifespan') throw new UnsupportedScopeError(scope.type);
  if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
  await Response.json(scope.state ?? null).send(scope, receive, send);
};

describe('lifespan', () => {
  it('runs nested wrappers all, outer startup first and shutdown in reverse', async () => {
    const log: string[] = [];
    const hooks = (name: string) => ({
      startup: (state: Record<string, unknown>) => {
        log.push(`${name} up`);
        state[name] = true;
      },
      shutdown: async () => {
        await Promise.resolve();
        log.push(`${name} down`);
      },
    });
    const app = lifespan(hooks('outer'))(lifespan(hooks('middle'))(lifespan(hooks('inner'))(stateEcho)));
    const client = new TestClient(app);
    await client.startup();
    expect(log).toEqual(['outer up', 'middle up', 'inner up']);
    expect(client.state).toMatchObject({ outer: true, middle: true, inner: true });
    const res = await client.get('/');
    expect(res.json()).toMatchObject({ outer: true, middle: true, inner: true });
    await client.shutdown();
    expect(log).toEqual(['outer up', 'middle up', 'inner up', 'inner down', 'middle down', 'outer down']);
  });

  it('runs several hooks of one Lifespan in order, shutdown in reverse', async () => {
    const log: string[] = [];
    const lc = new Lifespan()
      .onStartup(() => void log.push('a up'))
      .onStartup(() => void log.push('b up'))
      .onShutdown(() => void log.push('a down'))
      .onShutdown(() => void log.push('b down'));
    const client = new TestClient(lc.wrap(stateEcho));
    await client.startup();
    await client.shutdown();
    expect(log).toEqual(['a up', 'b up', 'b down', 'a down']);
  });

  it('reports a failing startup hook with its message, after outer layers shut down', async () => {
    const log: string[] = [];
    const app = lifespan({
      startup: () => void log.push('outer up'),
      shutdown: () => void log.push('outer down'),
    })(
      lifespan({
        startup: () => {
          throw new Error('database unreachable');
        },
        shutdown: () => void log.push('inner down'),
      })(stateEcho),
    );
    const client = new TestClient(app);
    await expect(client.startup()).rejects.toThrow(/database unreachable/);
    expect(log).toEqual(['outer up', 'outer down']);
  });

  it('reports every failing shutdown hook and still runs the others', async () => {
    const log: string[] = [];
    const lc = new Lifespan()
      .onShutdown(() => {
        log.push('first');
        throw new Error('e1');
      })
      .onShutdown(() => {
        log.push('second');
        throw new Error('e2');
      });
    const client = new TestClient(lc.wrap(stateEcho));
    await client.startup();
    await expect(client.shutdown()).rejects.toThrow(/e2; e1/);
    expect(log).toEqual(['second', 'first']);
  });

  it('passes an inner app that answers lifespan itself through the same conversation', async () => {
    const log: string[] = [];
    const handwritten: App = async (scope, receive, send) => {
      if (scope.type !== 'lifespan') return stateEcho(scope, receive, send);
      for (;;) {
        const event = await receive();
        if (event.type === 'lifespan.startup') {
          log.push('hand up');
          await send({ type: 'lifespan.startup.complete' });
        } else if (event.type === 'lifespan.shutdown') {
          log.push('hand down');
          await send({ type: 'lifespan.shutdown.complete' });
          return;
        }
      }
    };
    const app = lifespan({
      startup: () => void log.push('wrap up'),
      shutdown: () => void log.push('wrap down'),
    })(handwritten);
    const client = new TestClient(app);
    await client.startup();
    await client.shutdown();
    expect(log).toEqual(['wrap up', 'hand up', 'hand down', 'wrap down']);
  });

  it('leaves non-lifespan scopes untouched when the server copies state', async () => {
    let seen: unknown;
    const inner: App = async (scope, receive, send) => {
      if (scope.type === 'lifespan') throw new UnsupportedScopeError(scope.type);
      seen = scope;
      await stateEcho(scope, receive, send);
    };
    const app = lifespan({ startup: (s) => void (s.ready = 1) })(inner);
    const client = new TestClient(app);
    await client.startup();
    const outerScopes: unknown[] = [];
    const spy: App = (scope, receive, send) => {
      outerScopes.push(scope);
      return app(scope, receive, send);
    };
    await new TestClient(spy, { state: client.state }).get('/');
    expect(seen).toBe(outerScopes[0]);
  });
});

describe('lifespan without server state', () => {
  it('keeps its own state and copies it into request scopes that have none', async () => {
    const app = lifespan({ startup: (s) => void (s.db = 'pool') })(async (scope) => {
      if (scope.type === 'lifespan') throw new UnsupportedScopeError(scope.type);
      return scope.state;
    });
    const inbox = ['lifespan.startup', 'lifespan.shutdown'];
    const sent: unknown[] = [];
    await app(
      { type: 'lifespan', pagi: { version: '0.3' } },
      (async () => ({ type: inbox.shift() })) as never,
      (async (event: unknown) => void sent.push(event)) as never,
    );
    expect(sent).toEqual([{ type: 'lifespan.startup.complete' }, { type: 'lifespan.shutdown.complete' }]);
    const seen = await app(
      { type: 'http', state: undefined } as never,
      (async () => ({})) as never,
      (async () => {}) as never,
    );
    expect(seen).toEqual({ db: 'pool' });
  });
});
