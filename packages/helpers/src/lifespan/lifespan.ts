import type { App, LifespanScope, Middleware, Receive, ReceiveEvent, Send, SendEvent } from '@pagi/spec';

/** A startup or shutdown hook; it gets the shared state object to fill or drain. */
export type LifespanHook = (state: Record<string, unknown>) => unknown;

/** Hooks for {@link lifespan}. */
export interface LifespanHooks {
  startup?: LifespanHook;
  shutdown?: LifespanHook;
}

type Reply = { type: string; message?: string };

/**
 * Startup/shutdown hooks as middleware. Wrappers nest: every layer's hooks run, startup from
 * the outermost layer inwards and shutdown from the innermost outwards (toolkit-parity §8
 * item 8: the upstream inner-wrapper-wins bug is not copied). A startup hook that throws
 * reports `lifespan.startup.failed` with its message; the outer layers that had started run
 * their shutdown hooks first. Other scope types pass through untouched; when the server provides no
 * `state`, the wrapper puts a shallow copy of its own into each request scope.
 *
 * @example
 * const lc = new Lifespan()
 *   .onStartup(async (state) => { state.db = await connect(); })
 *   .onShutdown(async (state) => { await (state.db as Db).close(); });
 * export default lc.wrap(app);
 */
export class Lifespan {
  readonly #startup: LifespanHook[] = [];
  readonly #shutdown: LifespanHook[] = [];

  constructor(hooks: LifespanHooks = {}) {
    if (hooks.startup) this.#startup.push(hooks.startup);
    if (hooks.shutdown) this.#shutdown.push(hooks.shutdown);
  }

  /** Adds a startup hook; hooks run in the order added. */
  onStartup(hook: LifespanHook): this {
    this.#startup.push(hook);
    return this;
  }

  /** Adds a shutdown hook; hooks run in reverse order of adding, every one even if some fail. */
  onShutdown(hook: LifespanHook): this {
    this.#shutdown.push(hook);
    return this;
  }

  /** Wraps `app`: lifespan scopes run the hooks (and the inner app's own lifespan), others pass through. */
  wrap(app: App): App {
    const startupHooks = this.#startup;
    const shutdownHooks = this.#shutdown;
    let ownState: Record<string, unknown> | undefined;
    return async function lifespanWrapper(scope, receive, send) {
      if (scope.type !== 'lifespan') {
        // The server copies lifespan state into each scope; only fill in when it could not.
        if (scope.state === undefined && ownState !== undefined)
          return app({ ...scope, state: { ...ownState } }, receive, send);
        return app(scope, receive, send);
      }
      ownState = scope.state ?? {};
      await runLifespan(
        scope,
        receive as Receive<'lifespan'>,
        send as Send<'lifespan'>,
        app,
        ownState,
        startupHooks,
        shutdownHooks,
      );
    };
  }

  /** This Lifespan as middleware: `lc.middleware()(app)` is `lc.wrap(app)`. */
  middleware(): Middleware {
    return (app) => this.wrap(app);
  }
}

/**
 * Shorthand for one startup and one shutdown hook.
 *
 * @example
 * const app = lifespan({ startup: (s) => { s.started = Date.now(); } })(inner);
 */
export function lifespan(hooks: LifespanHooks): Middleware {
  return new Lifespan(hooks).middleware();
}

/**
 * Drives one lifespan conversation. The inner app runs alongside, fed through a private channel:
 * it sees `lifespan.startup` only after this layer's hooks succeeded, and `lifespan.shutdown`
 * before them. An inner app that returns or throws without answering has declined lifespan,
 * which is fine (protocol.md §4.5.2); this layer carries on with its own hooks.
 */
async function runLifespan(
  scope: LifespanScope,
  receive: Receive<'lifespan'>,
  send: Send<'lifespan'>,
  app: App,
  state: Record<string, unknown>,
  startupHooks: readonly LifespanHook[],
  shutdownHooks: readonly LifespanHook[],
): Promise<void> {
  const inbox: Array<ReceiveEvent<'lifespan'>> = [];
  let wake: (() => void) | undefined;
  let replyWaiter: ((reply: Reply | undefined) => void) | undefined;
  let innerDone = false;

  const innerReceive = async (): Promise<ReceiveEvent<'lifespan'>> => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    return inbox.shift()!;
  };
  const innerSend = async (event: SendEvent<'lifespan'>): Promise<void> => {
    replyWaiter?.(event);
  };
  void Promise.resolve()
    .then(() => app({ ...scope, state }, innerReceive as Receive, innerSend as Send))
    .catch(() => {})
    .finally(() => {
      innerDone = true;
      replyWaiter?.(undefined);
    });

  // Forwards an event to the inner app and waits for its answer; undefined = it declined.
  const ask = (event: ReceiveEvent<'lifespan'>): Promise<Reply | undefined> => {
    if (innerDone) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      replyWaiter = (reply) => {
        replyWaiter = undefined;
        resolve(reply);
      };
      inbox.push(event);
      wake?.();
    });
  };

  const shutDown = async (): Promise<string[]> => {
    const failures: string[] = [];
    for (const hook of [...shutdownHooks].reverse()) {
      try {
        await hook(state);
      } catch (error) {
        failures.push(messageOf(error));
      }
    }
    return failures;
  };

  for (;;) {
    const event = await receive();
    if (event.type === 'lifespan.startup') {
      try {
        for (const hook of startupHooks) await hook(state);
      } catch (error) {
        // This layer's shutdown hooks are not run: they may expect state its startup never
        // finished building. Outer layers, which did start, see the failure and shut down.
        await send({ type: 'lifespan.startup.failed', message: messageOf(error) });
        return;
      }
      const reply = await ask(event);
      if (reply?.type === 'lifespan.startup.failed') {
        // An inner layer failed after this one started: undo this layer before reporting.
        await shutDown();
        await send({ type: 'lifespan.startup.failed', message: reply.message ?? '' });
        return;
      }
      await send({ type: 'lifespan.startup.complete' });
    } else if (event.type === 'lifespan.shutdown') {
      const reply = await ask(event);
      const failures = await shutDown();
      if (reply?.type === 'lifespan.shutdown.failed') failures.unshift(reply.message ?? '');
      await send(
        failures.length > 0
          ? { type: 'lifespan.shutdown.failed', message: failures.join('; ') }
          : { type: 'lifespan.shutdown.complete' },
      );
      return;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
