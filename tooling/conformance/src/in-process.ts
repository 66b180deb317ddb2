import type { App, HeaderList } from '@pagi/spec';
import {
  type RequestOptions,
  type SseOptions,
  TestClient,
  type TestSse,
  type TestWebSocket,
} from '@pagi/test';
import { HostApp } from './internal/host-app.js';
import type {
  ConformanceClient,
  ConformanceRequestOptions,
  ConformanceSse,
  ConformanceStream,
  ConformanceWebSocket,
  Transport,
} from './transport.js';

/** How long the in-process client waits for the app at any one step. */
const STEP_TIMEOUT_MS = 3000;

function requestOptions(options: ConformanceRequestOptions): RequestOptions {
  const out: RequestOptions = {};
  if (options.headers) out.headers = options.headers;
  if (options.body !== undefined) out.body = options.body;
  if (options.httpVersion !== undefined) out.httpVersion = options.httpVersion;
  return out;
}

/** What a socket client gets when the server aborts a response mid-body (D-12). */
function abortedError(method: string, path: string): Error {
  return new Error(`${method} ${path}: the response was aborted before its body was complete`);
}

function adaptWebSocket(ws: TestWebSocket): ConformanceWebSocket {
  return {
    accepted: ws.accepted,
    subprotocol: ws.subprotocol,
    acceptHeaders: ws.acceptHeaders.map(([n, v]): [string, string] => [n.toLowerCase(), v]),
    denial: ws.denial,
    sendText: (text) => ws.sendText(text),
    sendBytes: (bytes) => ws.sendBytes(bytes),
    async receive() {
      const message = await ws.receive();
      return message.text !== undefined
        ? { text: message.text }
        : { bytes: message.bytes ?? Buffer.alloc(0) };
    },
    close: (code, reason) => ws.close(code, reason),
    drop: () => ws.disconnect(),
    closed: ws.closed,
  };
}

function adaptSse(sse: TestSse): ConformanceSse {
  return {
    status: sse.status,
    headers: sse.headers,
    declined: sse.declined,
    body: sse.body,
    next: () => sse.next(),
    get comments() {
      return sse.comments;
    },
    disconnect: () => sse.disconnect(),
  };
}

/**
 * The in-process transport: `@pagi/test`'s `TestClient` with `raiseAppErrors: false`, so an app
 * exception becomes what the server would send (a 500, a 1011) instead of a rejected call.
 *
 * @example
 * describeConformance('in-process', inProcess);
 */
export function inProcess(): Transport {
  const host = new HostApp();
  const client = new TestClient(host.app, { raiseAppErrors: false, timeout: STEP_TIMEOUT_MS });
  const conformanceClient: ConformanceClient = {
    async request(method, path, options = {}) {
      const res = await client.request(method, path, requestOptions(options));
      if (res.aborted) throw abortedError(method, path);
      return {
        status: res.status,
        headers: res.headers.map(([n, v]): [string, string] => [n.toLowerCase(), v]),
        body: res.body,
        trailers: (res.trailers ?? []) as HeaderList,
      };
    },
    async stream(method, path, options = {}): Promise<ConformanceStream> {
      const res = await client.stream(method, path, requestOptions(options));
      const iterator = res[Symbol.asyncIterator]();
      return {
        status: res.status,
        headers: res.headers.map(([n, v]): [string, string] => [n.toLowerCase(), v]),
        async next() {
          const step = await iterator.next();
          // Where a socket client's read fails: at the end of what arrived before the cut.
          if (step.done && res.aborted) throw abortedError(method, path);
          return step.done ? undefined : step.value;
        },
        disconnect: () => res.disconnect(),
      };
    },
    async websocket(path, options = {}) {
      return adaptWebSocket(
        await client.websocket(path, options.subprotocols ? { subprotocols: options.subprotocols } : {}),
      );
    },
    async sse(path, options = {}) {
      const sseOptions: SseOptions = {};
      if (options.headers) sseOptions.headers = options.headers;
      if (options.method) sseOptions.method = options.method;
      return adaptSse(await client.sse(path, sseOptions));
    },
  };
  return {
    start: () => client.startup(),
    serve(app: App) {
      host.install(app);
      return conformanceClient;
    },
    stop: () => client.shutdown(),
  };
}
