import {
  type App,
  type Extensions,
  type LifespanScope,
  PAGI_SPEC_VERSION,
  PAGI_VERSION,
  type ReceiveEvent,
  type SendValidator,
  createSendValidator,
} from '@pagi/spec';
import { AppInbox } from './app-inbox.js';
import { type Deferred, createDeferred } from './deferred.js';
import { sharedReceive } from './shared-receive.js';

export type StartupOutcome =
  | { kind: 'complete' }
  | { kind: 'failed'; message: string }
  | { kind: 'declined' };
export type ShutdownOutcome =
  | { kind: 'complete' }
  | { kind: 'failed'; message: string }
  | { kind: 'returned'; error: { error: unknown } | undefined };

/**
 * Plays the server's lifespan part (protocol.md §4.5): one app call for the client's life,
 * `lifespan.startup` first and `lifespan.shutdown` on request. Returning or throwing before a
 * startup reply is a decline (§4.5.2), not an error.
 */
export class LifespanRunner {
  readonly scope: LifespanScope;
  readonly events: object[] = [];
  readonly startup: Deferred<StartupOutcome> = createDeferred<StartupOutcome>();
  readonly shutdown: Deferred<ShutdownOutcome> = createDeferred<ShutdownOutcome>();
  readonly appDone: Promise<void>;
  private readonly inbox = new AppInbox<ReceiveEvent<'lifespan'>>();
  private readonly validator: SendValidator;

  constructor(app: App, state: Record<string, unknown>, extensions: Extensions) {
    this.scope = {
      type: 'lifespan',
      pagi: { version: PAGI_VERSION, spec_version: PAGI_SPEC_VERSION, is_worker: false, worker_num: null },
      // The very object the client holds: what the app stores here is copied into later scopes.
      state,
    };
    // The server's lifespan scope has no `extensions` (optional, protocol.md §3.5); add the key
    // only when the test advertises something.
    if (Object.keys(extensions).length > 0) this.scope.extensions = { ...extensions };
    this.validator = createSendValidator(this.scope);
    this.inbox.push({ type: 'lifespan.startup' });
    const receive = sharedReceive(() => this.inbox.take());
    const send = (event: unknown) => this.send(event);
    this.appDone = Promise.resolve()
      .then(() => app(this.scope, receive, send))
      .then(
        () => this.onAppSettled(undefined),
        (error: unknown) => this.onAppSettled({ error }),
      );
  }

  requestShutdown(): void {
    this.inbox.push({ type: 'lifespan.shutdown' });
  }

  private async send(event: unknown): Promise<void> {
    this.validator.check(event);
    const ev = event as { type: string; message?: string };
    this.events.push({ ...ev });
    switch (ev.type) {
      case 'lifespan.startup.complete':
        this.startup.resolve({ kind: 'complete' });
        return;
      case 'lifespan.startup.failed':
        this.startup.resolve({ kind: 'failed', message: ev.message ?? '' });
        return;
      case 'lifespan.shutdown.complete':
        this.shutdown.resolve({ kind: 'complete' });
        return;
      case 'lifespan.shutdown.failed':
        this.shutdown.resolve({ kind: 'failed', message: ev.message ?? '' });
        return;
    }
  }

  private onAppSettled(outcome: { error: unknown } | undefined): void {
    if (!this.startup.settled) {
      this.startup.resolve({ kind: 'declined' });
      this.shutdown.resolve({ kind: 'returned', error: undefined });
      return;
    }
    this.shutdown.resolve({ kind: 'returned', error: outcome });
  }
}
