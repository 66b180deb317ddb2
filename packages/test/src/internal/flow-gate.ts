import type { App, ConnectionState } from '@pagi/spec';
import { type Deferred, createDeferred } from './deferred.js';

/**
 * Backpressure counters of one response read through a slow reader (`highWaterMark` /
 * `readDelay`), so a test can assert that a middleware streamed: many body events, and never
 * more than `maxBuffered` bytes waiting for the reader.
 */
export interface FlowStats {
  /** `http.response.body` events the app sent (empty ones included). */
  bodyEvents: number;
  /** Body bytes the app sent that reach the client. */
  bytesSent: number;
  /** Body bytes the test has read. */
  bytesRead: number;
  /** The most bytes ever sent but not yet read. */
  maxBuffered: number;
  /** Sends that had to wait for the reader (the app felt backpressure). */
  pausedSends: number;
}

function bodyLength(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  return body instanceof Uint8Array ? body.byteLength : 0;
}

/**
 * Emulates a socket whose peer reads slowly: wraps the app's `send` so that, after a body event
 * was handed to the client, the app's `await send()` stays pending while more than
 * `highWaterMark` bytes are unread (the HTTP `drain` contract of style rule 9). The reader side
 * reports each chunk it takes with `read()`. A client that left releases every waiting send: the
 * server's sends resolve once the peer is gone (D-6).
 */
export class FlowGate {
  readonly stats: FlowStats = { bodyEvents: 0, bytesSent: 0, bytesRead: 0, maxBuffered: 0, pausedSends: 0 };
  private readonly highWaterMark: number;
  private readonly readDelay: number;
  /** HEAD, 1xx, 204, 304: the bytes are dropped before the client, so they never count. */
  private dropBody: boolean;
  private buffered = 0;
  private released = false;
  private waiter: Deferred<void> | undefined;

  constructor(highWaterMark: number, readDelay: number, isHead: boolean) {
    this.highWaterMark = highWaterMark;
    this.readDelay = readDelay;
    this.dropBody = isHead;
  }

  /** The app with its `send` gated; the gate is per request, so is this wrapper. */
  wrap(app: App): App {
    return (scope, receive, send) => {
      const connection = (scope as { 'pagi.connection'?: ConnectionState })['pagi.connection'];
      connection?.on_disconnect?.(() => this.release());
      return app(scope, receive, async (event) => {
        await send(event);
        const ev = event as { type?: string; status?: number; body?: unknown; file?: unknown; fh?: unknown };
        if (ev.type === 'http.response.start') {
          const status = ev.status ?? 200;
          if (status < 200 || status === 204 || status === 304) this.dropBody = true;
          return;
        }
        if (ev.type !== 'http.response.body') return;
        this.stats.bodyEvents++;
        // A file body is read from disk in one piece; only in-memory bodies are counted.
        const n = ev.file !== undefined || ev.fh !== undefined ? 0 : bodyLength(ev.body);
        if (this.dropBody || n === 0 || connection?.is_connected?.() === false) return;
        this.stats.bytesSent += n;
        this.buffered += n;
        if (this.buffered > this.stats.maxBuffered) this.stats.maxBuffered = this.buffered;
        if (this.buffered <= this.highWaterMark || this.released) return;
        this.stats.pausedSends++;
        while (this.buffered > this.highWaterMark && !this.released) {
          this.waiter ??= createDeferred<void>();
          await this.waiter.promise;
        }
      });
    };
  }

  /** The reader is about to take the next chunk: a slow reader waits `readDelay` first. */
  async beforeRead(): Promise<void> {
    if (this.readDelay > 0) await new Promise((resolve) => setTimeout(resolve, this.readDelay));
  }

  /** The reader took `n` bytes. */
  read(n: number): void {
    this.stats.bytesRead += n;
    this.buffered -= n;
    this.wake();
  }

  /** The reader is gone: nothing will be read any more, so no send waits. */
  release(): void {
    this.released = true;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }
}
