import {
  type App,
  type HeaderList,
  type ReceiveEvent,
  type SendValidator,
  SETTLED,
  type SseScope,
  createSendValidator,
  formatSseComment,
  formatSseMessage,
} from '@pagi/spec';
import type { SseOptions } from '../options.js';
import { AppInbox } from './app-inbox.js';
import { AsyncQueue } from './async-queue.js';
import { type BodySource, prepareBody } from './body-source.js';
import type { ClientConfig } from './config.js';
import { createTransportState } from './connection-state.js';
import { type Deferred, createDeferred } from './deferred.js';
import { hasHeader } from './headers.js';
import { baseScope } from './scope.js';
import { sharedReceive } from './shared-receive.js';
import { type SseEvent, toClientComments, toClientEvent } from './sse-wire.js';
import { appendAnswer, type BufferedAnswer, startAnswer } from './buffered-answer.js';

/** How the app answered: a stream, or an ordinary HTTP response in its place (a decline). */
export type SseHead =
  | { declined: false; status: number; headers: HeaderList }
  | { declined: true; status: number; headers: HeaderList; body: Buffer };

type SsePhase = 'init' | 'declining' | 'streaming' | 'ended';

/**
 * One in-process SSE request, playing the server (protocol.md §4.4, §5.3): `sse.request` body
 * events first, then a terminal `sse.disconnect` once the client leaves or the stream ends.
 */
export class SseSession {
  readonly scope: SseScope;
  readonly events: object[] = [];
  readonly head: Deferred<SseHead> = createDeferred<SseHead>();
  readonly stream = new AsyncQueue<SseEvent>();
  /** The same stream as the bytes a server writes, for a plain request that became SSE (D-14). */
  readonly wire = new AsyncQueue<Buffer>();
  readonly comments: string[] = [];
  readonly appDone: Promise<void>;
  readonly raiseAppErrors: boolean;
  appError: { error: unknown } | undefined;
  clientGone = false;

  private phase: SsePhase = 'init';
  private appClosed = false;
  private decline: BufferedAnswer | undefined;
  private readonly inbox = new AppInbox<ReceiveEvent<'sse'>>();
  private readonly validator: SendValidator;
  private readonly body: BodySource;
  private bodyRead = false;

  constructor(
    app: App,
    config: ClientConfig,
    state: Record<string, unknown>,
    path: string,
    opts: SseOptions,
  ) {
    this.raiseAppErrors = config.raiseAppErrors;
    const prepared = prepareBody({ body: opts.body }, '1.1');
    this.body = prepared.source;
    this.scope = {
      type: 'sse',
      ...baseScope(config, state, {
        path,
        query: opts.query,
        headers: opts.headers,
        scheme: config.scheme,
        extra: [['accept', 'text/event-stream'], ...prepared.headers],
      }),
      method: (opts.method ?? 'GET').toUpperCase(),
      extensions: { ...config.extensions },
      'pagi.transport': createTransportState(),
    };
    this.validator = createSendValidator(this.scope);
    this.head.promise.catch(() => {});
    const receive = sharedReceive(() => this.produce());
    const send = (event: unknown) => this.send(event);
    this.appDone = Promise.resolve()
      .then(() => app(this.scope, receive, send))
      .then(
        () => this.onAppSettled(undefined),
        (error: unknown) => this.onAppSettled({ error }),
      );
  }

  /** The client goes away: the app gets `sse.disconnect` with reason `client_closed`. */
  clientDisconnect(): void {
    if (this.clientGone || this.phase === 'ended') return;
    this.clientGone = true;
    this.phase = 'ended';
    this.inbox.terminate({ type: 'sse.disconnect', reason: 'client_closed' });
    this.head.resolve({ declined: true, status: 0, headers: [], body: Buffer.alloc(0) });
    this.stream.end();
    this.wire.end();
  }

  private async produce(): Promise<ReceiveEvent<'sse'>> {
    if (!this.bodyRead && !this.inbox.terminated) {
      const chunk = await this.body.next();
      if (!chunk.more) this.bodyRead = true;
      if (!this.inbox.terminated) return { type: 'sse.request', body: chunk.body, more: chunk.more };
    }
    return this.inbox.take();
  }

  /**
   * The app's `send()`: every event is handled synchronously, so it returns @pagi/spec's shared
   * `SETTLED` as the server does; a refused event returns a rejected promise, never a throw.
   */
  private send(event: unknown): Promise<void> {
    try {
      this.accept(event);
      return SETTLED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private accept(event: unknown): void {
    // §5.3: a send after the app's own sse.close raises even when the client is gone too, so the
    // validator runs first in that case; otherwise a gone client makes every send a no-op (D-6).
    if (this.clientGone && !this.appClosed) return;
    const verdict = this.validator.check(event);
    const ev = event as Record<string, unknown> & { type: string };
    this.events.push({ ...ev });
    if (verdict === 'ignore' || this.clientGone) return;
    switch (ev.type) {
      case 'sse.start': {
        this.phase = 'streaming';
        const headers = ((ev.headers as HeaderList | undefined) ?? []).map(([n, v]): [string, string] => [
          n,
          v,
        ]);
        // Headers the server adds when the app did not (protocol.md §4.4.2); `date` is left out.
        if (!hasHeader(headers, 'content-type')) headers.push(['content-type', 'text/event-stream']);
        if (!hasHeader(headers, 'cache-control')) headers.push(['cache-control', 'no-cache']);
        this.head.resolve({ declined: false, status: (ev.status as number | undefined) ?? 200, headers });
        return;
      }
      case 'sse.send':
        this.stream.push(toClientEvent(ev as unknown as Parameters<typeof toClientEvent>[0]));
        this.wire.push(
          Buffer.from(formatSseMessage(ev as unknown as Parameters<typeof formatSseMessage>[0]), 'utf8'),
        );
        return;
      case 'sse.comment':
        this.comments.push(...toClientComments(ev.comment as string));
        this.wire.push(Buffer.from(formatSseComment(ev.comment as string), 'utf8'));
        return;
      case 'sse.close':
        this.appClosed = true;
        this.end({ type: 'sse.disconnect', reason: (ev.reason as string | undefined) ?? '' });
        return;
      case 'sse.http.response.start':
        this.phase = 'declining';
        this.decline = startAnswer(ev);
        return;
      case 'sse.http.response.body':
        if (appendAnswer(this.decline!, ev)) this.finishDecline();
        return;
      default:
        // sse.keepalive: a timer of comments on a real server; nothing to emulate in-process.
        return;
    }
  }

  private finishDecline(): void {
    const d = this.decline!;
    this.head.resolve({ declined: true, status: d.status, headers: d.headers, body: Buffer.concat(d.parts) });
    // No stream started, so no sse.disconnect is owed (§4.4.3); an app that reads anyway is not left hanging.
    this.end({ type: 'sse.disconnect', reason: '' });
  }

  private end(terminal: ReceiveEvent<'sse'>): void {
    this.phase = 'ended';
    this.inbox.terminate(terminal);
    this.stream.end();
    this.wire.end();
  }

  private onAppSettled(outcome: { error: unknown } | undefined): void {
    this.appError = outcome;
    if (this.clientGone) return;
    const raise = outcome !== undefined && this.raiseAppErrors;
    if (this.phase === 'init' || this.phase === 'declining') {
      if (raise) {
        this.head.reject(outcome.error);
        this.stream.fail(outcome.error);
        this.wire.fail(outcome.error);
        this.phase = 'ended';
        this.inbox.terminate({ type: 'sse.disconnect', reason: 'server_error' });
      } else if (this.phase === 'declining') {
        this.finishDecline();
      } else {
        // D-12: no stream and no decline → the server answers 500.
        this.decline = {
          status: 500,
          headers: [['content-type', 'text/plain; charset=utf-8']],
          parts: [Buffer.from('Internal Server Error\n')],
        };
        this.finishDecline();
      }
      return;
    }
    if (this.phase === 'streaming') {
      // Ending by return looks the same on the wire as sse.close (§4.4.7).
      if (raise) {
        this.stream.fail(outcome.error);
        this.wire.fail(outcome.error);
        this.phase = 'ended';
        this.inbox.terminate({ type: 'sse.disconnect', reason: 'server_error' });
      } else {
        this.end({ type: 'sse.disconnect', reason: outcome ? 'server_error' : '' });
      }
    }
  }
}
