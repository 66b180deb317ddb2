import { PagiStateError, type Receive } from '@pagi/spec';
import { bodyTooLarge } from '@pagi/spec/middleware/node';
import { ClientDisconnectError, HttpError } from '../errors.js';

/**
 * The request body as one consumable channel. The body arrives once through `receive()`; this
 * class makes that single pass reusable: either read it whole (then cached, so `json()` after
 * `text()` works) or stream it chunk by chunk (then it is gone, and buffered reads fail loudly).
 */
export class BodySource {
  readonly #receive: Receive;
  readonly #eventType: string;
  readonly #disconnectType: string;
  #cached: Buffer | undefined;
  #streamed = false;
  #failure: unknown;

  constructor(receive: Receive, scopeType: 'http' | 'sse') {
    this.#receive = receive;
    this.#eventType = scopeType === 'sse' ? 'sse.request' : 'http.request';
    this.#disconnectType = scopeType === 'sse' ? 'sse.disconnect' : 'http.disconnect';
  }

  /** true once the body has been taken as a stream (buffered reads then fail). */
  get streamed(): boolean {
    return this.#streamed;
  }

  /** The cached body when it was already read in full. */
  get cached(): Buffer | undefined {
    return this.#cached;
  }

  /**
   * Yields body chunks as they arrive. Throws {@link HttpError} 413 once more than `limit` bytes
   * came, and {@link ClientDisconnectError} when the client leaves before the last chunk.
   */
  async *chunks(limit = Number.POSITIVE_INFINITY): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.#cached !== undefined) {
      if (this.#cached.length > limit) throw bodyTooLarge(limit);
      if (this.#cached.length > 0) yield this.#cached;
      return;
    }
    // A read that failed (413, disconnect) left the body half-consumed: report the same error.
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#streamed) {
      throw new PagiStateError('expected an unread request body, got one already consumed by stream()');
    }
    this.#streamed = true;
    let total = 0;
    for (;;) {
      const event = (await this.#receive()) as { type: string; body?: Uint8Array; more?: boolean };
      if (event.type === this.#disconnectType) {
        throw this.#fail(
          new ClientDisconnectError(
            `the client disconnected after ${total} body bytes, before the body ended`,
          ),
        );
      }
      // Custom events folded into receive() by middleware are not body data; skip them.
      if (event.type !== this.#eventType) continue;
      const chunk = event.body ?? new Uint8Array(0);
      total += chunk.length;
      if (total > limit) throw this.#fail(bodyTooLarge(limit));
      if (chunk.length > 0) yield chunk;
      if (!event.more) return;
    }
  }

  #fail(error: Error): Error {
    this.#failure = error;
    return error;
  }

  /** Reads the whole body (at most `limit` bytes) and caches it. */
  async read(limit: number): Promise<Buffer> {
    if (this.#cached !== undefined) {
      if (this.#cached.length > limit) throw bodyTooLarge(limit);
      return this.#cached;
    }
    const parts: Uint8Array[] = [];
    for await (const chunk of this.chunks(limit)) parts.push(chunk);
    this.#cached = Buffer.concat(parts);
    return this.#cached;
  }
}
