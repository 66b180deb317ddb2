/**
 * The channel-layer contract: what an app needs from a publish/subscribe layer to fan messages
 * out across connections, workers and machines. `@pagi/channels` implements it
 * (`createChannelLayer()`); the broadcast apps (`@pagi/app-ws-broadcast`, `@pagi/app-ws-chat`,
 * `@pagi/app-sse-pubsub`) take one as their `layer` option and depend on these types only, so
 * they never load an implementation the application did not choose.
 */
import { PagiValidationError } from './errors.js';

/** A JSON value as `JSON.parse` returns it: what a channel carries besides strings and bytes. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What can be published: a string (delivered as the same string), bytes (a `Uint8Array`,
 * delivered as a `Uint8Array`, a `Buffer` under Node) or any other JSON value (delivered as the
 * parsed value). The kind survives the trip, so `'42'` arrives as a string and `42` as a number.
 */
export type ChannelMessage = JsonValue | Uint8Array;

/** One delivered message. */
export interface ChannelEvent {
  readonly channel: string;
  /**
   * Position in the channel: 1, 2, 3, … with no gaps, the same in every process. A jump between
   * two events a subscriber receives is exactly the messages it missed (dropped for being slow,
   * or published while the backend was unreachable and no longer in history). Use it as the SSE
   * `id:` and pass the client's `Last-Event-ID` back as `since`.
   */
  readonly id: number;
  /** The message as published. Shared by every subscriber of the process: treat it as read-only. */
  readonly data: ChannelMessage;
}

/** What a subscriber does when its queue is full: drop the oldest message, or be disconnected. */
export type SlowConsumerPolicy = 'drop-oldest' | 'disconnect';

/**
 * A live subscription to one channel: an async iterator of {@link ChannelEvent}s, in id order.
 * It ends (the `for await` loop exits) on `unsubscribe()`, on the `signal` aborting, when the
 * loop `break`s, and when the layer closes; under the `'disconnect'` policy it throws a typed
 * error instead (`PAGI_ERR_CHANNEL_SLOW_CONSUMER` from `@pagi/channels`).
 */
export interface Subscription extends AsyncIterableIterator<ChannelEvent, undefined> {
  /** Unique within the process. */
  readonly id: string;
  readonly channel: string;
  /** Messages discarded so far under `'drop-oldest'` because this subscriber was `bufferSize` behind. */
  readonly dropped: number;
  /** Messages waiting in this subscriber's queue (never more than `bufferSize`). */
  readonly queued: number;
  readonly closed: boolean;
  /** Stops the subscription; a pending or later `next()` resolves `done`. Idempotent. */
  unsubscribe(): void;
}

/** Options of {@link ChannelLayer.subscribe}. */
export interface ChannelSubscribeOptions {
  /** Unsubscribes when aborted. */
  signal?: AbortSignal;
  /** Replays the kept history newer than this id first (an SSE `Last-Event-ID`), then continues live without gaps or duplicates. */
  since?: number;
  /** Overrides the layer's `bufferSize` for this subscriber. */
  bufferSize?: number;
  /** Overrides the layer's `slowConsumer` for this subscriber. */
  slowConsumer?: SlowConsumerPolicy;
}

/**
 * A publish/subscribe layer, shared by every connection of a process (create it once, at
 * startup). Channel and group names are strings of 1 to 1024 characters. Every method rejects
 * with a typed error (`isPagiError`) when it cannot keep its promise: a bad argument, a message
 * that cannot be carried, a backend that cannot be reached, a layer already closed.
 *
 * @example
 * import { createChannelLayer } from '@pagi/channels';
 * const layer: ChannelLayer = createChannelLayer();
 */
export interface ChannelLayer {
  /** Messages each subscriber may have waiting before `slowConsumer` applies (≥ 1). */
  readonly bufferSize: number;
  /** What happens to a subscriber whose queue is full, unless its `subscribe()` says otherwise. */
  readonly slowConsumer: SlowConsumerPolicy;
  /**
   * Publishes `message` to every subscriber of `channel`, in every process sharing the layer's
   * backend. Resolves with the message's id in the channel (see {@link ChannelEvent.id}).
   */
  publish(channel: string, message: ChannelMessage): Promise<number>;
  /**
   * Subscribes to `channel`. Resolves once the subscription is live: every message published
   * after that is delivered (subject to the slow-consumer policy). With `since`, the kept
   * history newer than that id comes first.
   */
  subscribe(channel: string, options?: ChannelSubscribeOptions): Promise<Subscription>;
  /** Adds `member` to `group` (a set of names shared by every process). Adding it twice is a no-op. */
  groupAdd(group: string, member: string): Promise<void>;
  /** Removes `member` from `group`; removing one that is absent is a no-op. */
  groupDiscard(group: string, member: string): Promise<void>;
  /** The members of `group`, each once, in no particular order (empty for an unknown group). */
  groupMembers(group: string): Promise<string[]>;
}

const METHODS = ['publish', 'subscribe', 'groupAdd', 'groupDiscard', 'groupMembers'] as const;

/**
 * true when `value` has the shape of a {@link ChannelLayer}: its five methods, a numeric
 * `bufferSize` and a known `slowConsumer`. Apps use it to refuse a wrong `layer` option when
 * they are created, not at the first connection.
 */
export function isChannelLayer(value: unknown): value is ChannelLayer {
  if (typeof value !== 'object' || value === null) return false;
  const layer = value as Record<string, unknown>;
  for (const method of METHODS) if (typeof layer[method] !== 'function') return false;
  return (
    typeof layer.bufferSize === 'number' &&
    (layer.slowConsumer === 'drop-oldest' || layer.slowConsumer === 'disconnect')
  );
}

/**
 * Asserts that `layer` (an app's `options.layer`) is a {@link ChannelLayer}; otherwise throws
 * `PagiValidationError` (`PAGI_ERR_VALIDATION`) saying what to pass. `where` names the app
 * factory (`'wsChat()'`) and starts the message. One wording for every app that takes a layer.
 *
 * @example
 * assertChannelLayer(options?.layer, 'wsChat()');
 */
export function assertChannelLayer(layer: unknown, where: string): asserts layer is ChannelLayer {
  if (isChannelLayer(layer)) return;
  const got =
    layer === null ? 'null' : typeof layer === 'object' ? 'an object of another shape' : typeof layer;
  throw new PagiValidationError(
    `${where}: expected options.layer to be a channel layer: createChannelLayer() from @pagi/channels, got ${got}`,
  );
}
