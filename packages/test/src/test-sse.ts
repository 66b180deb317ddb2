import type { HeaderList } from '@pagi/spec';
import { allHeaders, firstHeader } from './internal/headers.js';
import type { SseHead, SseSession } from './internal/sse-session.js';
import type { SseEvent } from './internal/sse-wire.js';
import { quiet, withTimeout } from './internal/timeout.js';

export type { SseEvent } from './internal/sse-wire.js';

/**
 * The test's end of an in-process Server-Sent Events request. Events arrive as an `EventSource`
 * would dispatch them: multi-line `data` joined with LF, empty `event`/`id` left out.
 *
 * @example
 * const sse = await client.sse('/events');
 * expect(sse.status).toBe(200);
 * expect(await sse.next()).toEqual({ event: 'tick', data: '1' });
 * await sse.disconnect();
 */
export class TestSse implements AsyncIterable<SseEvent> {
  readonly status: number;
  readonly headers: HeaderList;
  /** true when the app answered with an ordinary HTTP response instead of a stream. */
  readonly declined: boolean;
  /** The body of a decline; empty for a stream. */
  readonly body: Buffer;
  private readonly session: SseSession | undefined;
  private readonly timeout: number;

  /**
   * @internal Created by `TestClient.sse()`. Without a session the request never became an SSE
   * stream (D-14: only a GET does): the app answered it as plain HTTP, reported as a decline.
   */
  constructor(session: SseSession | undefined, head: SseHead, timeout: number) {
    this.session = session;
    this.timeout = timeout;
    this.status = head.status;
    this.headers = head.headers;
    this.declined = head.declined;
    this.body = head.declined ? head.body : Buffer.alloc(0);
  }

  header(name: string): string | undefined {
    return firstHeader(this.headers, name);
  }

  headerValues(name: string): string[] {
    return allHeaders(this.headers, name);
  }

  /** Comment lines seen so far (keepalives, diagnostics), without the leading colon. */
  get comments(): string[] {
    return this.session?.comments ?? [];
  }

  /** Every raw event the app sent so far, in order. */
  get events(): object[] {
    return this.session?.events ?? [];
  }

  /** The next event, or undefined once the stream has ended. */
  async next(): Promise<SseEvent | undefined> {
    if (this.session === undefined) return undefined;
    const step = await this.session.stream.next(this.timeout, 'the next SSE event');
    return step.done ? undefined : step.value;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SseEvent> {
    while (true) {
      const event = await this.next();
      if (event === undefined) return;
      yield event;
    }
  }

  /**
   * The client goes away: the app gets `sse.disconnect` with reason `client_closed`. Resolves once
   * the app has returned; rejects with its exception under `raiseAppErrors`.
   */
  disconnect(): Promise<void> {
    if (this.session === undefined) return Promise.resolve();
    this.session.clientDisconnect();
    return quiet(this.waitForApp('the app to return after the SSE client disconnected'));
  }

  /** Waits for the app to return; rejects with its exception under `raiseAppErrors`. */
  async finished(): Promise<void> {
    await this.waitForApp('the app to return after the SSE stream');
  }

  private async waitForApp(what: string): Promise<void> {
    if (this.session === undefined) return;
    await withTimeout(this.session.appDone, this.timeout, what);
    if (this.session.appError && this.session.raiseAppErrors) throw this.session.appError.error;
  }
}
