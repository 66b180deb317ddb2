import type { ChannelEvent, SlowConsumerPolicy, Subscription } from '@pagi/spec';
import { ChannelError } from './errors.js';
import { Fifo } from './internal/fifo.js';

// The subscriber-facing types are the channel-layer contract of @pagi/spec; this file implements them.
export type { ChannelEvent, SlowConsumerPolicy, Subscription };

interface Waiter {
  resolve(result: IteratorResult<ChannelEvent, undefined>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<ChannelEvent, undefined> = { done: true, value: undefined };

/**
 * The per-subscriber queue. Invariants: `#queue.length <= #bufferSize` at all times (memory is
 * bounded however slow the reader); ids pushed are strictly increasing (a replayed or re-delivered
 * id at or below `lastId` is ignored, which is how history replay and live delivery are merged
 * without duplicates); while replaying (`#pending` set), live events wait there, bounded the same way.
 */
export class ChannelSubscription implements Subscription {
  readonly id: string;
  readonly channel: string;
  lastId = 0;
  /** Called once when the subscription ends (the layer removes its abort listener here). */
  onEnd: (() => void) | undefined;
  #bufferSize: number;
  #policy: SlowConsumerPolicy;
  #queue = new Fifo<ChannelEvent>();
  #pending: Fifo<ChannelEvent> | null = null;
  #waiter: Waiter | null = null;
  #dropped = 0;
  #closed = false;
  #error: ChannelError | null = null;
  #onClose: (sub: ChannelSubscription) => void;

  constructor(
    id: string,
    channel: string,
    bufferSize: number,
    policy: SlowConsumerPolicy,
    onClose: (sub: ChannelSubscription) => void,
  ) {
    this.id = id;
    this.channel = channel;
    this.#bufferSize = bufferSize;
    this.#policy = policy;
    this.#onClose = onClose;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Holds live events back until {@link endReplay}: history fetched meanwhile goes first. */
  beginReplay(): void {
    if (this.#pending === null) this.#pending = new Fifo();
  }

  endReplay(history: readonly ChannelEvent[]): void {
    const pending = this.#pending ?? new Fifo<ChannelEvent>();
    this.#pending = null;
    for (const event of history) this.deliver(event);
    for (const event of pending) this.deliver(event);
  }

  deliver(event: ChannelEvent): void {
    if (this.#closed) return;
    if (this.#pending !== null) {
      this.#bounded(this.#pending, event);
      return;
    }
    if (event.id <= this.lastId) return;
    this.lastId = event.id;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = null;
      waiter.resolve({ done: false, value: event });
      return;
    }
    this.#bounded(this.#queue, event);
  }

  #bounded(queue: Fifo<ChannelEvent>, event: ChannelEvent): void {
    if (queue.length >= this.#bufferSize) {
      if (this.#policy === 'disconnect') {
        this.fail(
          new ChannelError(
            'PAGI_ERR_CHANNEL_SLOW_CONSUMER',
            `subscriber ${this.id} fell ${this.#bufferSize} messages behind (bufferSize) and was disconnected`,
          ),
        );
        return;
      }
      queue.shift();
      this.#dropped++;
    }
    queue.push(event);
  }

  /** Ends the subscription with an error: queued messages are discarded, `next()` rejects once, then reports done. */
  fail(error: ChannelError): void {
    if (this.#closed) return;
    this.#error = error;
    this.#queue.clear();
    this.#finish();
  }

  unsubscribe(): void {
    if (this.#closed) return;
    this.#queue.clear();
    this.#finish();
  }

  #finish(): void {
    this.#closed = true;
    this.#pending = null;
    this.#onClose(this);
    this.onEnd?.();
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = null;
    if (this.#error) {
      const error = this.#error;
      this.#error = null;
      waiter.reject(error);
    } else {
      waiter.resolve(DONE);
    }
  }

  next(): Promise<IteratorResult<ChannelEvent, undefined>> {
    const event = this.#queue.shift();
    if (event) return Promise.resolve({ done: false, value: event });
    if (this.#error) {
      const error = this.#error;
      this.#error = null;
      return Promise.reject(error);
    }
    if (this.#closed) return Promise.resolve(DONE);
    if (this.#waiter) {
      return Promise.reject(
        new ChannelError(
          'PAGI_ERR_CHANNEL_OPTION',
          `expected one reader of subscription ${this.id}, got a second next() while one waits`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<ChannelEvent, undefined>> {
    this.unsubscribe();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
