import type { HeaderList } from '@pagi/spec';
import type { AsyncQueue } from './async-queue.js';
import type { TestConnectionState } from './connection-state.js';

/**
 * What a streamed HTTP response reads from: an in-process HTTP exchange, or an SSE session seen
 * as a plain response (a GET whose Accept header made it an `sse` scope, D-14).
 */
export interface ResponseSource {
  readonly chunks: AsyncQueue<Buffer>;
  readonly trailers: HeaderList | undefined;
  readonly events: object[];
  readonly connection: TestConnectionState;
  readonly disconnected: boolean;
  /** The response started but was cut before it was complete (the server aborts it, D-12). */
  readonly aborted: boolean;
  readonly appDone: Promise<void>;
  clientDisconnect(): void;
  failure(): { error: unknown } | undefined;
}
