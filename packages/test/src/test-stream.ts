import type { ConnectionState, HeaderList } from '@pagi/spec';
import { allHeaders, firstHeader } from './internal/headers.js';
import type { FlowGate, FlowStats } from './internal/flow-gate.js';
import type { ResponseSource } from './internal/response-source.js';
import { kCollect } from './internal/symbols.js';
import { withTimeout } from './internal/timeout.js';
import { TestResponse } from './test-response.js';

/**
 * A streaming HTTP response: available as soon as `http.response.start` arrived; the body is read
 * chunk by chunk (each wait bounded by the client's timeout), and the client can leave mid-stream.
 *
 * @example
 * const s = await client.stream('GET', '/ticks');
 * for await (const chunk of s) {
 *   if (chunk.toString() === 'tick 3') break;
 * }
 * await s.disconnect();
 * expect(s.connection.disconnect_reason()).toBe('client_closed');
 */
export class TestStreamResponse implements AsyncIterable<Buffer> {
  /** The status the app sent; `0` when the client disconnected before any response. */
  readonly status: number;
  readonly headers: HeaderList;
  /** The request target (path and query) this response answered. */
  url = '';
  /** The redirect responses followed before this one, oldest first (with `followRedirects`). */
  history: TestResponse[] = [];
  private readonly exchange: ResponseSource;
  private readonly timeout: number;
  private readonly gate: FlowGate | undefined;

  /** @internal Created by `TestClient.stream()`. */
  constructor(
    exchange: ResponseSource,
    head: { status: number; headers: HeaderList } | undefined,
    timeout: number,
    gate?: FlowGate,
  ) {
    this.exchange = exchange;
    this.timeout = timeout;
    this.gate = gate;
    this.status = head?.status ?? 0;
    this.headers = head?.headers ?? [];
  }

  header(name: string): string | undefined {
    return firstHeader(this.headers, name);
  }

  headerValues(name: string): string[] {
    return allHeaders(this.headers, name);
  }

  /** The trailers, once the body has been read to the end (if the app sent any). */
  get trailers(): HeaderList | undefined {
    return this.exchange.trailers;
  }

  /** Backpressure counters, when the request set `highWaterMark` or `readDelay`. */
  get flow(): FlowStats | undefined {
    return this.gate?.stats;
  }

  /** Every raw event the app sent so far, in order. */
  get events(): object[] {
    return this.exchange.events;
  }

  /** The `scope['pagi.connection']` the app sees. */
  get connection(): Required<ConnectionState> {
    return this.exchange.connection;
  }

  /** true once the client side went away before the response was complete. */
  get disconnected(): boolean {
    return this.exchange.disconnected;
  }

  /**
   * true once the response was cut before its body was complete (see `TestResponse.aborted`):
   * read the body to its end, then check it, as an HTTP client would see the error there.
   */
  get aborted(): boolean {
    return this.exchange.aborted;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    while (true) {
      if (this.gate) await this.gate.beforeRead();
      const step = await this.exchange.chunks.next(this.timeout, 'the next response body chunk');
      if (step.done) return;
      this.gate?.read(step.value.length);
      yield step.value;
    }
  }

  /** The rest of the body, once the response is complete (or the client left). */
  async bytes(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** The rest of the body decoded as UTF-8. */
  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  /**
   * The client goes away now: the app's pending `receive()` yields `http.disconnect` and
   * `pagi.connection` flips. Resolves once the app has returned (bounded by the timeout); rejects
   * with the app's exception under `raiseAppErrors`.
   */
  async disconnect(): Promise<void> {
    this.gate?.release();
    this.exchange.clientDisconnect();
    await withTimeout(this.exchange.appDone, this.timeout, 'the app to return after the client disconnected');
    const failure = this.exchange.failure();
    if (failure) throw failure.error;
  }

  /** Reads the rest, waits for the app, and builds the complete response (for `request()`). */
  async [kCollect](): Promise<TestResponse> {
    const body = await this.bytes();
    await withTimeout(this.exchange.appDone, this.timeout, 'the app to return after its response');
    const failure = this.exchange.failure();
    if (failure) throw failure.error;
    return new TestResponse({
      status: this.status,
      headers: this.headers,
      body,
      trailers: this.exchange.trailers,
      events: this.exchange.events,
      disconnected: this.exchange.disconnected,
      aborted: this.exchange.aborted,
      connection: this.exchange.connection,
      url: this.url,
      history: this.history,
      flow: this.flow,
    });
  }
}
