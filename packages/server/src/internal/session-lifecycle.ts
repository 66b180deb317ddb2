import type { Receive, Scope, Send } from '@pagi/spec';
import { Mailbox } from '../websocket/mailbox.js';
import { now } from './clock.js';
import type { LongLivedConnection, ServerContext } from './context.js';
import { type AppOwner, runApp } from './run-app.js';

/** What the access log says about a long-lived session besides status, bytes and duration. */
export interface SessionLogInfo {
  client: string;
  method: string;
  target: string;
  httpVersion: string;
  userAgent?: string;
  referer?: string;
}

/**
 * The lifecycle a WebSocket and an SSE session share: the app run so nothing it does escapes
 * (run-app.ts), the guard around every event-loop callback, graceful-stop tracking and the end,
 * recorded once (the app's disconnect event, untracking, the access-log line). The protocol
 * parts — handshake or stream, frames or events, timers — are the subclasses'.
 */
export abstract class SessionLifecycle<Inbound> implements LongLivedConnection, AppOwner {
  protected readonly ctx: ServerContext;
  /** Inbound events for the app; finished with the disconnect event when the session ends. */
  protected readonly mailbox = new Mailbox<Inbound>();
  protected readonly startedAt = now();
  /** The status the access log reports (101 for an accepted WebSocket, the stream's for SSE). */
  protected status: number;
  protected bytesSent = 0;

  constructor(ctx: ServerContext, status: number) {
    this.ctx = ctx;
    this.status = status;
  }

  /** `websocket` or `sse`: names the protocol in log lines and the access log. */
  protected abstract get protocol(): 'websocket' | 'sse';
  /** Graceful stop (the server calls it for every tracked session). */
  abstract shutdown(): void;
  /** The app returned or threw (inside the guard). */
  protected abstract onAppDone(error: unknown, threw: boolean): void;
  /** A bug in a callback: drop the connection, never the process. */
  protected abstract drop(): void;

  /** Calls the app; nothing it does (throw, return early) can escape into the event loop. */
  protected runApp(scope: Scope, receive: Receive, send: Send): void {
    runApp(this.ctx, scope, receive, send, this);
  }

  /**
   * Runs a callback that the event loop calls (timer, socket event, app settlement) so that a bug
   * in it is logged and costs this connection only: an exception there would otherwise end the
   * process.
   * @internal
   */
  guard<A extends unknown[]>(fn: (this: this, ...args: A) => void, ...args: A): void {
    try {
      fn.apply(this, args);
    } catch (error) {
      this.ctx.logger.error(`${this.protocol} session failed; dropping the connection`, error);
      this.drop();
    }
  }

  /** @internal (AppOwner) */
  appSettled(error: unknown, threw: boolean): void {
    this.guard(this.onAppDone, error, threw);
  }

  /**
   * The end, once: `event` (the disconnect) is the app's last inbound event, the server stops
   * tracking the session, and the access log gets its line. false when it had already ended.
   */
  protected endSession(event: Inbound, log: SessionLogInfo | undefined): boolean {
    if (this.mailbox.finished) return false;
    this.mailbox.finish(event);
    this.ctx.untrack(this);
    if (log !== undefined) {
      this.ctx.accessLog({
        ...log,
        status: this.status,
        bytes: this.bytesSent,
        durationMs: now() - this.startedAt,
        protocol: this.protocol,
      });
    }
    return true;
  }
}
