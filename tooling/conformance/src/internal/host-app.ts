import type { App, Receive, Scope, Send } from '@pagi/spec';

/** What lifespan startup stores; every case may read it through `scope.state` (a shallow copy). */
export const LIFESPAN_MARKER = 'set-by-lifespan';

/**
 * One app per transport that stays for a whole test file: it answers lifespan itself (so state
 * handling is exercised the same way on both transports) and hands every other scope to the case
 * app currently installed.
 */
export class HostApp {
  private current: App | undefined;

  /** The app the transport runs. */
  readonly app: App = async (scope: Scope, receive: Receive, send: Send) => {
    if (scope.type === 'lifespan') return runLifespan(scope, receive, send);
    const target = this.current;
    if (target === undefined)
      throw new Error(`expected a case app to be installed, got none for ${scope.type}`);
    return target(scope, receive, send);
  };

  install(app: App): void {
    this.current = app;
  }
}

async function runLifespan(scope: Scope, receive: Receive, send: Send): Promise<void> {
  const state = (scope as { state?: Record<string, unknown> }).state;
  while (true) {
    const event = await receive();
    if (event.type === 'lifespan.startup') {
      if (state) {
        state.marker = LIFESPAN_MARKER;
        // A shared container: every request's copy points at this same object (protocol.md §3.5).
        state.shared = { hits: 0 };
      }
      await send({ type: 'lifespan.startup.complete' });
    } else if (event.type === 'lifespan.shutdown') {
      await send({ type: 'lifespan.shutdown.complete' });
      return;
    }
  }
}
