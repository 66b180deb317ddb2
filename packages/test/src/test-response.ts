import type { ConnectionState, HeaderList } from '@pagi/spec';
import { TestUnexpectedError } from './errors.js';
import type { FlowStats } from './internal/flow-gate.js';
import { allHeaders, firstHeader } from './internal/headers.js';

/** The parts of a finished HTTP exchange a {@link TestResponse} is made from. */
export interface TestResponseInit {
  status: number;
  headers: HeaderList;
  body: Buffer;
  trailers: HeaderList | undefined;
  events: object[];
  disconnected: boolean;
  aborted: boolean;
  connection: Required<ConnectionState>;
  url?: string;
  history?: TestResponse[];
  flow?: FlowStats | undefined;
}

/**
 * A complete HTTP response as the app produced it in-process.
 *
 * @example
 * const res = await client.get('/hello');
 * expect(res.status).toBe(200);
 * expect(res.header('content-type')).toBe('text/plain');
 * expect(res.text).toBe('Hello');
 */
export class TestResponse {
  /** The status the app sent; `0` when the client disconnected before any response. */
  readonly status: number;
  readonly headers: HeaderList;
  readonly body: Buffer;
  /** The trailer fields, when the app declared and sent them. */
  readonly trailers: HeaderList | undefined;
  /** Every raw event the app sent, in order (copies). */
  readonly events: object[];
  /** true when the client side went away before the response was complete. */
  readonly disconnected: boolean;
  /**
   * true when the response started but was cut before its body was complete (the app returned
   * or threw before the final body event, or sent fewer or more bytes than its `content-length`).
   * A real server aborts such a response (D-12): an HTTP client gets an error, not this body.
   */
  readonly aborted: boolean;
  /** The `scope['pagi.connection']` the app saw, in its final state. */
  readonly connection: Required<ConnectionState>;
  /** The request target (path and query) this response answered; after redirects, the last one. */
  readonly url: string;
  /** The redirect responses followed before this one, oldest first (with `followRedirects`). */
  readonly history: TestResponse[];
  /** Backpressure counters, when the request set `highWaterMark` or `readDelay`. */
  readonly flow: FlowStats | undefined;

  constructor(init: TestResponseInit) {
    this.status = init.status;
    this.headers = init.headers;
    this.body = init.body;
    this.trailers = init.trailers;
    this.events = init.events;
    this.disconnected = init.disconnected;
    this.aborted = init.aborted;
    this.connection = init.connection;
    this.url = init.url ?? '';
    this.history = init.history ?? [];
    this.flow = init.flow;
  }

  /** The first value of a header (case-insensitive), or undefined. */
  header(name: string): string | undefined {
    return firstHeader(this.headers, name);
  }

  /** Every value of a header (case-insensitive), in order. */
  headerValues(name: string): string[] {
    return allHeaders(this.headers, name);
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    return this.body.toString('utf8');
  }

  /** The body parsed as JSON; throws {@link TestUnexpectedError} when it is not JSON. */
  json<T = unknown>(): T {
    try {
      return JSON.parse(this.text) as T;
    } catch (error) {
      const preview = this.text.length > 60 ? `${this.text.slice(0, 60)}…` : this.text;
      throw new TestUnexpectedError(`expected a JSON body, got ${JSON.stringify(preview)}`, { cause: error });
    }
  }
}
