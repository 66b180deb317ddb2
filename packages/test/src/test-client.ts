import {
  type App,
  PagiStateError,
  PagiValidationError,
  type ProtocolApp,
  acceptsEventStream,
} from '@pagi/spec';
import { CookieJar } from './cookie-jar.js';
import { fetchResponse, fetchToRequest } from './internal/fetch-bridge.js';
import { FlowGate } from './internal/flow-gate.js';
import { nextRedirect } from './internal/redirect.js';
import { callTimeout, cookieTarget, prepareRequest, requestUrl } from './internal/request-prep.js';
import { type ClientConfig, resolveConfig } from './internal/config.js';
import { HttpExchange } from './internal/http-exchange.js';
import { kCollect } from './internal/symbols.js';
import { withTimeout } from './internal/timeout.js';
import { allHeaders, overrideHeaders, toHeaderList } from './internal/headers.js';
import { SseAsHttp } from './internal/sse-as-http.js';
import { LifespanShutdownError, LifespanStartupError, TooManyRedirectsError } from './errors.js';
import { LifespanRunner } from './internal/lifespan-runner.js';
import { SseSession } from './internal/sse-session.js';
import { WebSocketSession } from './internal/websocket-session.js';
import type { RequestOptions, SseOptions, TestClientOptions, WebSocketOptions } from './options.js';
import type { TestResponse } from './test-response.js';
import { TestStreamResponse } from './test-stream.js';
import { TestSse } from './test-sse.js';
import { TestWebSocket } from './test-websocket.js';

/** Any app the client can drive: a general {@link App}, or one written for a single protocol. */
export type TestableApp = App | ProtocolApp<'http'> | ProtocolApp<'websocket'> | ProtocolApp<'sse'>;

/**
 * Drives a PAGI app in-process, with no socket: every request builds the scope the real server
 * would, runs `app(scope, receive, send)`, checks each `send()` against the protocol, and hands
 * back what the app sent. Every wait for the app is bounded by `timeout`.
 *
 * @example
 * const app: App = async (scope, receive, send) => {
 *   if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
 *   await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
 *   await send({ type: 'http.response.body', body: 'Hello' });
 * };
 * const client = new TestClient(app);
 * const res = await client.get('/');
 * expect(res.text).toBe('Hello');
 */
export class TestClient {
  /** The lifespan state; requests get a shallow copy of it in `scope.state`. */
  state: Record<string, unknown>;
  /** The cookie jar: filled from `Set-Cookie`, sent as `cookie` (not used with `cookies: false`). */
  readonly cookies: CookieJar;
  private readonly useCookies: boolean;
  private readonly followRedirects: boolean;
  private readonly maxRedirects: number;
  private readonly app: App;
  private readonly config: ClientConfig;
  private lifespanRunner: LifespanRunner | undefined;
  /** undefined before startup(); false when the app declined lifespan. */
  private lifespanSupported: boolean | undefined;

  constructor(app: App, options?: TestClientOptions);
  constructor(app: TestableApp, options?: TestClientOptions);
  constructor(app: TestableApp, options: TestClientOptions = {}) {
    // The client builds each scope itself, so a single-protocol app gets only its own scope type
    // (plus lifespan, which such an app declines by throwing, §4.5.2).
    this.app = app as App;
    this.config = resolveConfig(options);
    this.state = options.state ?? {};
    this.cookies = new CookieJar(this.config.server[0]);
    this.useCookies = options.cookies ?? true;
    this.followRedirects = options.followRedirects ?? false;
    this.maxRedirects = options.maxRedirects ?? 10;
    if (!Number.isInteger(this.maxRedirects) || this.maxRedirects < 0) {
      throw new PagiValidationError(
        `maxRedirects: expected a non-negative integer, got ${String(options.maxRedirects)}`,
      );
    }
  }

  /** Sends a request and resolves with the complete response once the app has returned. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const stream = await this.stream(method, path, options);
    return stream[kCollect]();
  }

  /**
   * Sends a request and resolves as soon as the response head arrived. A GET whose `Accept`
   * lists `text/event-stream` runs the app with an `sse` scope, as the server does (D-14); the
   * response is then the event stream's bytes (or the decline).
   */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<TestStreamResponse> {
    const follow = options.followRedirects ?? this.followRedirects;
    let hop = { method: method.toUpperCase(), path, options };
    const history: TestResponse[] = [];
    while (true) {
      const url = requestUrl(this.config, hop.path, hop.options);
      const res = await this.streamOnce(hop.method, hop.path, hop.options, url);
      res.url = url.pathname + url.search;
      res.history = history;
      const next = follow
        ? nextRedirect(res.status, res.header('location'), { method: hop.method, url, options: hop.options })
        : undefined;
      if (next === undefined) return res;
      history.push(await res[kCollect]());
      if (history.length > this.maxRedirects) throw new TooManyRedirectsError(this.maxRedirects, history);
      hop = next;
    }
  }

  /** One request, no redirect: cookies in, the app run, the head awaited, cookies stored. */
  private async streamOnce(
    method: string,
    path: string,
    options: RequestOptions,
    url: URL,
  ): Promise<TestStreamResponse> {
    const timeout = callTimeout(options.timeout, this.config);
    const prepared = prepareRequest(options, this.useCookies ? this.cookies : undefined, url);
    let res: TestStreamResponse;
    if (this.isEventStreamRequest(method, prepared)) {
      res = await this.streamAsSse(method, path, prepared, timeout);
    } else {
      const wantsFlow = options.highWaterMark !== undefined || options.readDelay !== undefined;
      const gate = wantsFlow
        ? new FlowGate(
            options.highWaterMark ?? Number.POSITIVE_INFINITY,
            options.readDelay ?? 0,
            method === 'HEAD',
          )
        : undefined;
      const app = gate ? gate.wrap(this.app) : this.app;
      const exchange = new HttpExchange(app, this.config, this.state, method, path, prepared);
      const head = await withTimeout(
        exchange.head.promise,
        timeout,
        `http.response.start for ${method} ${path}`,
      );
      res = new TestStreamResponse(exchange, head, timeout, gate);
    }
    if (this.useCookies) this.cookies.storeFrom(res.headerValues('set-cookie'), cookieTarget(url));
    return res;
  }

  /**
   * A fetch-style entry: runs a WHATWG `Request` (or a URL/path plus `init`) through the app and
   * resolves with a WHATWG `Response` as soon as the head arrived; its body is a `ReadableStream`
   * fed chunk by chunk as the app sends. Uses the client's cookie jar and redirect setting.
   *
   * @example
   * const res = await client.fetch(new Request('http://testserver/items', { method: 'POST', body: 'x' }));
   * const reader = res.body!.getReader();
   * const first = await reader.read();
   */
  async fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    const { method, path, options } = await fetchToRequest(input, init, this.config);
    return fetchResponse(await this.stream(method, path, options), method);
  }

  /** `await using client = new TestClient(app)`: runs lifespan shutdown if startup ran. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  private isEventStreamRequest(method: string, options: RequestOptions): boolean {
    if (method.toUpperCase() !== 'GET') return false;
    const headers = overrideHeaders(this.config.headers, toHeaderList(options.headers));
    const accept = headers.filter(([n]) => n === 'accept').map(([, v]) => v);
    return accept.length > 0 && acceptsEventStream(accept.join(', '));
  }

  private async streamAsSse(
    method: string,
    path: string,
    options: RequestOptions,
    timeout: number,
  ): Promise<TestStreamResponse> {
    const sseOptions: SseOptions = { method };
    if (options.headers !== undefined) sseOptions.headers = options.headers;
    if (options.query !== undefined) sseOptions.query = options.query;
    if (options.body !== undefined) sseOptions.body = options.body;
    const source = new SseAsHttp(new SseSession(this.app, this.config, this.state, path, sseOptions));
    const head = await withTimeout(source.head, timeout, `sse.start (or a decline) for ${path}`);
    return new TestStreamResponse(source, head, timeout);
  }

  /**
   * Opens a WebSocket; resolves once the app answered `websocket.connect` (accepted or denied).
   * An app exception before that rejects (with `raiseAppErrors`) or becomes a 500 denial.
   */
  async websocket(path: string, options: WebSocketOptions = {}): Promise<TestWebSocket> {
    const timeout = callTimeout(options.timeout, this.config);
    const url = requestUrl(this.config, path, options);
    const prepared = prepareRequest(options, this.useCookies ? this.cookies : undefined, url);
    const session = new WebSocketSession(this.app, this.config, this.state, path, {
      ...options,
      ...(prepared.headers === undefined ? {} : { headers: prepared.headers }),
    });
    const result = await withTimeout(
      session.handshake.promise,
      timeout,
      `websocket.accept (or a denial) for ${path}`,
    );
    const ws = new TestWebSocket(session, result, timeout);
    if (this.useCookies) {
      const head = ws.denial?.headers ?? ws.acceptHeaders;
      this.cookies.storeFrom(allHeaders(head, 'set-cookie'), cookieTarget(url));
    }
    return ws;
  }

  /**
   * Opens a Server-Sent Events request (`Accept: text/event-stream` is added); resolves once the
   * app sent `sse.start` or finished a decline. An exception before that rejects (with
   * `raiseAppErrors`) or becomes a 500 decline.
   */
  async sse(path: string, options: SseOptions = {}): Promise<TestSse> {
    const method = (options.method ?? 'GET').toUpperCase();
    if (method !== 'GET') {
      // D-14: only a GET becomes an sse scope, so this runs as plain HTTP exactly as the server
      // would run it, and the answer is reported the way a declined stream is.
      const res = await this.request(method, path, {
        headers: overrideHeaders([['accept', 'text/event-stream']], toHeaderList(options.headers)),
        ...(options.query === undefined ? {} : { query: options.query }),
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      });
      return new TestSse(
        undefined,
        { status: res.status, headers: res.headers, declined: true, body: res.body },
        callTimeout(options.timeout, this.config),
      );
    }
    const timeout = callTimeout(options.timeout, this.config);
    const url = requestUrl(this.config, path, options);
    const prepared = prepareRequest(options, this.useCookies ? this.cookies : undefined, url);
    const session = new SseSession(this.app, this.config, this.state, path, {
      ...options,
      ...(prepared.headers === undefined ? {} : { headers: prepared.headers }),
    });
    const head = await withTimeout(session.head.promise, timeout, `sse.start (or a decline) for ${path}`);
    const sse = new TestSse(session, head, timeout);
    if (this.useCookies) this.cookies.storeFrom(sse.headerValues('set-cookie'), cookieTarget(url));
    return sse;
  }

  /**
   * Runs lifespan startup: resolves on `lifespan.startup.complete`, and also when the app declines
   * lifespan (throws or returns without a reply). Rejects with {@link LifespanStartupError} on
   * `lifespan.startup.failed`. Afterwards `client.state` holds what the app stored.
   */
  async startup(): Promise<void> {
    if (this.lifespanRunner) {
      throw new PagiStateError(
        'expected shutdown() before startup() is called again, got a second startup()',
      );
    }
    const runner = new LifespanRunner(this.app, this.state, this.config.extensions);
    this.lifespanRunner = runner;
    const outcome = await withTimeout(
      runner.startup.promise,
      this.config.timeout,
      'lifespan.startup.complete',
    );
    if (outcome.kind === 'failed') {
      this.lifespanSupported = false;
      throw new LifespanStartupError(outcome.message);
    }
    this.lifespanSupported = outcome.kind === 'complete';
  }

  /**
   * Runs lifespan shutdown after a successful startup (a no-op otherwise): resolves on
   * `lifespan.shutdown.complete` or when the app returns; rejects with
   * {@link LifespanShutdownError} on `lifespan.shutdown.failed`, or with the app's exception
   * (under `raiseAppErrors`) if it threw after startup.
   */
  async shutdown(): Promise<void> {
    const runner = this.lifespanRunner;
    const supported = this.lifespanSupported;
    this.lifespanRunner = undefined;
    this.lifespanSupported = undefined;
    if (!runner || supported !== true) return;
    runner.requestShutdown();
    const outcome = await withTimeout(
      runner.shutdown.promise,
      this.config.timeout,
      'lifespan.shutdown.complete',
    );
    if (outcome.kind === 'failed') throw new LifespanShutdownError(outcome.message);
    if (outcome.kind === 'returned' && outcome.error && this.config.raiseAppErrors) throw outcome.error.error;
  }

  /**
   * Startup, then `block`, then shutdown, also when `block` throws (its error wins over a
   * shutdown error).
   *
   * @example
   * await client.lifespan(async () => {
   *   expect((await client.get('/db')).status).toBe(200);
   * });
   */
  async lifespan<T>(block: () => Promise<T> | T): Promise<T> {
    await this.startup();
    let result: T;
    try {
      result = await block();
    } catch (error) {
      await this.shutdown().catch(() => {});
      throw error;
    }
    await this.shutdown();
    return result;
  }

  get(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.request('GET', path, options);
  }

  head(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.request('HEAD', path, options);
  }

  post(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.request('POST', path, options);
  }

  put(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.request('PUT', path, options);
  }

  patch(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.request('PATCH', path, options);
  }

  delete(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.request('DELETE', path, options);
  }

  options(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.request('OPTIONS', path, options);
  }
}
