import { describe, expect, it } from 'vitest';
import { compose } from './compose.js';
import { isPagiError } from './errors.js';
import type { App, Middleware, Scope } from './types.js';

function tag(name: string, log: string[]): Middleware {
  return (app) =>
    async function tagged(scope, receive, send) {
      log.push(`${name}:in`);
      await app(scope, receive, send);
      log.push(`${name}:out`);
    };
}

const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
const receive = async () => ({ type: 'lifespan.startup' }) as const;
const send = async () => {};

describe('compose', () => {
  it('runs the first listed middleware outermost', async () => {
    const log: string[] = [];
    const app: App = async () => {
      log.push('app');
    };
    await compose(tag('a', log), tag('b', log), tag('c', log))(app)(scope, receive, send);
    expect(log).toEqual(['a:in', 'b:in', 'c:in', 'app', 'c:out', 'b:out', 'a:out']);
  });

  it('returns the app itself for no middleware', () => {
    const app: App = async () => {};
    expect(compose()(app)).toBe(app);
  });

  it('builds the chain once per application, not per call', async () => {
    let built = 0;
    const counting: Middleware = (app) => {
      built++;
      return app;
    };
    const wrapped = compose(counting, counting)(async () => {});
    await wrapped(scope, receive, send);
    await wrapped(scope, receive, send);
    expect(built).toBe(2);
  });

  it('is not affected by later changes to the array it was spread from', async () => {
    const log: string[] = [];
    const list = [tag('a', log)];
    const stack = compose(...list);
    list.push(tag('b', log));
    await stack(async () => {})(scope, receive, send);
    expect(log).toEqual(['a:in', 'a:out']);
  });

  it('rejects a non-function with a PagiValidationError', () => {
    let thrown: unknown;
    try {
      compose(tag('a', []), 'nope' as unknown as Middleware);
    } catch (error) {
      thrown = error;
    }
    expect(isPagiError(thrown) && thrown.code).toBe('PAGI_ERR_VALIDATION');
    expect((thrown as Error).message).toMatch(/got string at position 1/);
  });
});
