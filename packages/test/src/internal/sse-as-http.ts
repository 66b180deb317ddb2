import type { HeaderList } from '@pagi/spec';
import { AsyncQueue } from './async-queue.js';
import { TestConnectionState } from './connection-state.js';
import type { ResponseHead } from './http-exchange.js';
import type { ResponseSource } from './response-source.js';
import type { SseSession } from './sse-session.js';

/**
 * An SSE session read as an ordinary HTTP response: what a plain client (`fetch`, curl) sees when
 * its GET carries `Accept: text/event-stream` and the server therefore runs the app with an `sse`
 * scope (D-14). The body is the event stream's bytes, or the decline's body.
 *
 * The app gets no `pagi.connection` on an `sse` scope; `connection` here only records how the
 * exchange ended, so a `TestResponse` built from it reads like one built from an HTTP exchange.
 */
export class SseAsHttp implements ResponseSource {
  readonly connection = new TestConnectionState();
  readonly trailers: HeaderList | undefined = undefined;
  /** Resolves with the head, once the app started the stream or finished its decline. */
  readonly head: Promise<ResponseHead>;
  readonly appDone: Promise<void>;
  private readonly session: SseSession;
  private declineBody: AsyncQueue<Buffer> | undefined;

  constructor(session: SseSession) {
    this.session = session;
    this.head = session.head.promise.then((head) => {
      this.connection.markStarted();
      if (head.declined) {
        const body = new AsyncQueue<Buffer>();
        if (head.body.length > 0) body.push(head.body);
        body.end();
        this.declineBody = body;
      }
      return { status: head.status, headers: head.headers };
    });
    this.appDone = session.appDone.then(() => {
      if (session.clientGone) return;
      if (session.appError) {
        this.connection.abort('server_error');
        return;
      }
      this.connection.markResponseComplete();
      this.connection.complete();
    });
  }

  get chunks(): AsyncQueue<Buffer> {
    return this.declineBody ?? this.session.wire;
  }

  get events(): object[] {
    return this.session.events;
  }

  get disconnected(): boolean {
    return this.session.clientGone;
  }

  /** An event stream ends by design when its app returns: it is never an aborted response. */
  get aborted(): boolean {
    return false;
  }

  clientDisconnect(): void {
    this.session.clientDisconnect();
    this.connection.abort('client_closed');
  }

  failure(): { error: unknown } | undefined {
    return this.session.raiseAppErrors ? this.session.appError : undefined;
  }
}
