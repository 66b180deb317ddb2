import { type App, type Receive, type Send, type SseScope, UnsupportedScopeError } from '@pagi/spec';
import { Request, type RequestOptions } from '../request/request.js';
import { EventStream } from '../sse/event-stream.js';

/**
 * An SSE endpoint, one instance per connection: implement `stream(sse, req)`. The stream is
 * started before `stream` runs (unless `onConnect` declined it), a keepalive is requested when
 * `keepaliveInterval` is set, and the stream is closed when `stream` returns.
 *
 * @example
 * class Clock extends SseEndpoint {
 *   static override keepaliveInterval = 15;
 *   async stream(sse: EventStream) {
 *     for (let i = 0; sse.isConnected; i++) { await sse.send({ data: new Date().toISOString(), id: String(i) }); await tick(); }
 *   }
 * }
 */
export abstract class SseEndpoint {
  /** Seconds between server keepalive comments; 0 (default) sends none. */
  static keepaliveInterval = 0;
  /** Options for the Request passed to `stream`. */
  static requestOptions: RequestOptions = {};
  readonly scope: SseScope;

  constructor(scope: SseScope) {
    this.scope = scope;
  }

  /** Called before the stream starts; may `sse.decline(...)` to answer with plain HTTP instead. */
  async onConnect(_sse: EventStream, _req: Request): Promise<void> {}

  /** Produces the events. */
  abstract stream(sse: EventStream, req: Request): Promise<void>;

  /** The endpoint class as a PAGI app. */
  static asApp<T extends SseEndpoint>(
    this: (new (scope: SseScope) => T) & { keepaliveInterval: number; requestOptions: RequestOptions },
  ): App {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being turned into an app.
    const Endpoint = this;
    return async function sseEndpoint(scope, receive, send) {
      if (scope.type !== 'sse') throw new UnsupportedScopeError(scope.type);
      const endpoint = new Endpoint(scope);
      const sse = new EventStream(scope, receive as Receive<'sse'>, send as Send<'sse'>);
      const req = new Request(scope, receive, Endpoint.requestOptions);
      try {
        await endpoint.onConnect(sse, req);
        if (sse.state === 'declined' || sse.state === 'closed') return;
        await sse.start();
        if (Endpoint.keepaliveInterval > 0) await sse.keepalive(Endpoint.keepaliveInterval);
        await endpoint.stream(sse, req);
      } finally {
        await sse.close();
        await req.cleanup();
      }
    };
  }
}
