import {
  type BodyInput,
  PagiStateError,
  PagiValidationError,
  type Receive,
  type Send,
  type SseScope,
} from '@pagi/spec';
import { firstHeader, type HeaderInit, toHeaderList } from '../internal/headers.js';

/** One SSE dispatch. `data` may span lines; the server writes one `data:` line per line. */
export interface ServerSentEvent {
  data: string;
  event?: string;
  id?: string;
  /** Reconnection delay in milliseconds. */
  retry?: number;
}

/** `pending` → `started` → `closed`, or `pending` → `declined`. */
export type EventStreamState = 'pending' | 'started' | 'declined' | 'closed';

/**
 * A Server-Sent Events stream over an `sse` scope. After `start()`, a background loop reads
 * `receive()` so that `disconnected` settles when the client goes; it skips the initial
 * `sse.request` event(s) (protocol.md §4.4.1), so read a POST body with `Request` *before*
 * starting the stream.
 *
 * @example
 * const sse = new EventStream(scope, receive, send);
 * await sse.start();
 * let n = Number(sse.lastEventId ?? 0);
 * while (sse.isConnected) {
 *   await sse.sendJson({ n }, { id: String(++n) });
 *   await Promise.race([sse.disconnected, tick()]);
 * }
 */
export class EventStream {
  readonly scope: SseScope;
  readonly #receive: Receive<'sse'>;
  readonly #send: Send<'sse'>;
  #state: EventStreamState = 'pending';
  #reason: string | undefined;
  #loop: Promise<void> | undefined;
  readonly #callbacks: Array<(reason: string) => void> = [];
  #resolveDisconnected!: (reason: string) => void;
  /** Settles with the reason when the client disconnects or the stream is closed. */
  readonly disconnected: Promise<string>;

  constructor(scope: SseScope, receive: Receive<'sse'> | Receive, send: Send<'sse'> | Send) {
    if (scope.type !== 'sse')
      throw new PagiValidationError(`expected an 'sse' scope, got '${String(scope.type)}'`);
    this.scope = scope;
    this.#receive = receive as Receive<'sse'>;
    this.#send = send as Send<'sse'>;
    this.disconnected = new Promise((resolve) => {
      this.#resolveDisconnected = resolve;
    });
  }

  /** Where the stream is in its life. */
  get state(): EventStreamState {
    return this.#state;
  }

  /** true after start and before the client left or the stream was closed. */
  get isConnected(): boolean {
    return this.#state === 'started' && this.#reason === undefined;
  }

  /** Why the stream ended (`client_closed`, …, or the reason given to `close()`). */
  get disconnectReason(): string | undefined {
    return this.#reason;
  }

  /** The `Last-Event-ID` header a reconnecting EventSource sends, if any. */
  get lastEventId(): string | undefined {
    return firstHeader(this.scope.headers, 'last-event-id');
  }

  /** Runs `cb(reason)` once when the stream ends; at once if it already has. */
  onDisconnect(cb: (reason: string) => void): void {
    if (this.#reason !== undefined) cb(this.#reason);
    else this.#callbacks.push(cb);
  }

  /** Sends `sse.start` (status 200 unless given). A second call does nothing. */
  async start(options: { status?: number; headers?: HeaderInit } = {}): Promise<void> {
    if (this.#state === 'started' || this.#state === 'closed') return;
    if (this.#state === 'declined')
      throw new PagiStateError('expected a pending SSE stream to start, got one declined');
    this.#state = 'started';
    const headers = toHeaderList(options.headers);
    await this.#send({
      type: 'sse.start',
      status: options.status ?? 200,
      ...(headers.length > 0 ? { headers } : {}),
    });
    this.#loop ??= this.#watch();
  }

  /** Sends one event (starting the stream if needed). `event` and `id` must be single-line. */
  async send(message: ServerSentEvent): Promise<void> {
    for (const field of ['event', 'id'] as const) {
      const v = message[field];
      if (v !== undefined && /[\r\n]/.test(v)) {
        throw new PagiValidationError(`expected an SSE ${field} without CR or LF, got ${JSON.stringify(v)}`);
      }
    }
    if (message.retry !== undefined && !(Number.isSafeInteger(message.retry) && message.retry >= 0)) {
      throw new PagiValidationError(`expected a non-negative integer retry, got ${String(message.retry)}`);
    }
    await this.#ready('send an event');
    await this.#send({
      type: 'sse.send',
      data: String(message.data),
      ...(message.event !== undefined ? { event: message.event } : {}),
      ...(message.id !== undefined ? { id: message.id } : {}),
      ...(message.retry !== undefined ? { retry: message.retry } : {}),
    });
  }

  /** Sends `data` as JSON. */
  async sendJson(data: unknown, options: Omit<ServerSentEvent, 'data'> = {}): Promise<void> {
    const text = JSON.stringify(data);
    if (text === undefined)
      throw new PagiValidationError(`expected a JSON-serialisable value, got ${typeof data}`);
    await this.send({ ...options, data: text });
  }

  /** Sends a comment line (never dispatched by EventSource). */
  async comment(text: string): Promise<void> {
    await this.#ready('send a comment');
    await this.#send({ type: 'sse.comment', comment: text });
  }

  /** Asks the server to write a keepalive comment every `interval` seconds (0 stops it). */
  async keepalive(interval: number, comment?: string): Promise<void> {
    await this.#ready('set keepalive');
    await this.#send({ type: 'sse.keepalive', interval, ...(comment !== undefined ? { comment } : {}) });
  }

  /**
   * Ends the stream now; `reason` is for the server's logs only. A second call does nothing.
   * Before `start()` nothing is sent (the server then answers 500 if the app returns): use
   * `decline()` to refuse a stream.
   */
  async close(reason = 'closed'): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'declined') return;
    const wasStarted = this.#state === 'started';
    this.#state = 'closed';
    if (wasStarted) await this.#send({ type: 'sse.close', reason });
    this.#finish(reason);
  }

  /**
   * Answers with an ordinary HTTP response instead of a stream (204 tells EventSource to stop
   * reconnecting). Only before `start()`.
   */
  async decline(status = 204, body: BodyInput = '', headers?: HeaderInit): Promise<void> {
    if (this.#state !== 'pending') {
      throw new PagiStateError(`expected a pending SSE stream to decline, got one ${this.#state}`);
    }
    this.#state = 'declined';
    await this.#send({ type: 'sse.http.response.start', status, headers: toHeaderList(headers) });
    await this.#send({ type: 'sse.http.response.body', body });
    this.#finish('declined');
  }

  async #ready(action: string): Promise<void> {
    if (this.#state === 'pending') await this.start();
    if (this.#state !== 'started') {
      throw new PagiStateError(`expected a started SSE stream to ${action}, got one ${this.#state}`);
    }
  }

  // The background reader: the only consumer of receive() once the stream started.
  async #watch(): Promise<void> {
    try {
      for (;;) {
        const event = (await this.#receive()) as { type: string; reason?: string };
        if (event.type === 'sse.disconnect') {
          this.#finish(event.reason || 'client_closed');
          return;
        }
        // sse.request (the body, usually one empty event) and custom events are skipped.
      }
    } catch {
      this.#finish('read_error');
    }
  }

  #finish(reason: string): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#resolveDisconnected(reason);
    for (const cb of this.#callbacks.splice(0)) {
      try {
        cb(reason);
      } catch {
        // One failing callback must not keep the others from running.
      }
    }
  }
}
