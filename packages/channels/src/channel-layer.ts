import { EventEmitter } from 'node:events';
import type { ChannelLayer as ChannelLayerContract, ChannelSubscribeOptions } from '@pagi/spec';
import type { BackendEntry, BackendStatus, ChannelBackend } from './backend.js';
import { type ChannelMessage, decodeMessage, encodeMessage } from './encoding.js';
import { ChannelError } from './errors.js';
import { memoryBackend } from './memory-backend.js';
import {
  type ChannelEvent,
  ChannelSubscription,
  type SlowConsumerPolicy,
  type Subscription,
} from './subscription.js';

/** Options of {@link createChannelLayer}. */
export interface ChannelLayerOptions {
  /** Where messages travel. Default: a new `memoryBackend()` (this process only). */
  backend?: ChannelBackend;
  /** Messages each subscriber may have waiting before the slow-consumer policy applies. Default 100. */
  bufferSize?: number;
  /** `'drop-oldest'` (default): discard the oldest queued message and count it in `dropped`. `'disconnect'`: end the subscription with `PAGI_ERR_CHANNEL_SLOW_CONSUMER`. */
  slowConsumer?: SlowConsumerPolicy;
  /** Messages kept per channel for `history()` and `subscribe({ since })`. Default 0 (no replay). */
  historySize?: number;
  /** Largest encoded message in bytes (UTF-8; bytes count as base64). Default 65536. */
  maxMessageBytes?: number;
}

/** Options of {@link ChannelLayer.subscribe}: `signal`, `since`, `bufferSize`, `slowConsumer` (the contract's, in `@pagi/spec`). */
export type SubscribeOptions = ChannelSubscribeOptions;

/** Events a layer emits (it never emits `'error'`, so an outage cannot crash a process that did not listen). */
export interface ChannelLayerEvents {
  /** The backend lost its connection; subscriptions stay open and resume by themselves. */
  reconnecting: [cause: unknown];
  /** The backend is back and listening again; missed messages still in history were delivered. */
  reconnected: [];
}

interface ChannelEntry {
  subs: Set<ChannelSubscription>;
  listening: Promise<void>;
  lastId: number;
}

const NAME_MAX = 1024;

function checkName(kind: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > NAME_MAX) {
    throw new ChannelError(
      'PAGI_ERR_CHANNEL_OPTION',
      `expected a ${kind} name of 1 to ${NAME_MAX} characters, got ${typeof name === 'string' ? `${name.length} characters` : typeof name}`,
    );
  }
}

function checkCount(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ChannelError(
      'PAGI_ERR_CHANNEL_OPTION',
      `expected ${name} to be an integer >= ${min}, got ${String(value)}`,
    );
  }
  return value;
}

function checkPolicy(value: unknown): SlowConsumerPolicy {
  if (value !== 'drop-oldest' && value !== 'disconnect') {
    throw new ChannelError(
      'PAGI_ERR_CHANNEL_OPTION',
      `expected slowConsumer to be 'drop-oldest' or 'disconnect', got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

const KNOWN_OPTIONS = new Set(['backend', 'bufferSize', 'slowConsumer', 'historySize', 'maxMessageBytes']);

/**
 * A publish/subscribe layer over one backend: the object apps share (create it once, at
 * startup or in a lifespan hook). See {@link createChannelLayer}. It implements the
 * channel-layer contract of `@pagi/spec` (`ChannelLayer` there), which is what the broadcast
 * apps take as their `layer` option.
 *
 * @example
 * const layer = new ChannelLayer({ bufferSize: 50, slowConsumer: 'disconnect' });
 * layer.on('reconnecting', (cause) => console.warn('channels down', cause));
 * layer.on('reconnected', () => console.info('channels back'));
 */
export class ChannelLayer extends EventEmitter<ChannelLayerEvents> implements ChannelLayerContract {
  readonly backend: ChannelBackend;
  readonly bufferSize: number;
  readonly slowConsumer: SlowConsumerPolicy;
  readonly historySize: number;
  readonly maxMessageBytes: number;
  /**
   * Local subscribers per channel; the backend is listened to once per channel with at least
   * one. `lastId` is the newest id this layer knows the channel has reached (read once when
   * listening starts, then raised by every delivery): a new subscriber starts there, so the
   * catch-up after an outage never replays what was published before it subscribed.
   */
  #channels = new Map<string, ChannelEntry>();
  #nextSubId = 0;
  #closed = false;
  #wasDown = false;

  constructor(options: ChannelLayerOptions = {}) {
    super();
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(key)) {
        throw new ChannelError(
          'PAGI_ERR_CHANNEL_OPTION',
          `unknown option '${key}' (expected one of ${[...KNOWN_OPTIONS].join(', ')})`,
        );
      }
    }
    this.bufferSize = checkCount('bufferSize', options.bufferSize ?? 100, 1);
    this.slowConsumer = checkPolicy(options.slowConsumer ?? 'drop-oldest');
    this.historySize = checkCount('historySize', options.historySize ?? 0, 0);
    this.maxMessageBytes = checkCount('maxMessageBytes', options.maxMessageBytes ?? 65_536, 1);
    this.backend = options.backend ?? memoryBackend();
    this.backend.attach(
      (channel, entry) => this.#onMessage(channel, entry),
      (status, cause) => this.#onStatus(status, cause),
    );
  }

  /** `'ready'`, `'connecting'` (first connection), `'reconnecting'` (outage) or `'closed'`. */
  get status(): BackendStatus {
    return this.#closed ? 'closed' : this.backend.status;
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new ChannelError(
        'PAGI_ERR_CHANNEL_CLOSED',
        'expected an open channel layer, got one after close()',
      );
  }

  /**
   * Publishes `message` to every subscriber of `channel`, in every process sharing the backend.
   * Resolves with the message's id in the channel. Rejects with `PAGI_ERR_CHANNEL_MESSAGE` for
   * a message that cannot be carried, `PAGI_ERR_CHANNEL_UNAVAILABLE` when the backend is down.
   *
   * @example
   * const id = await layer.publish('room:lobby', { from: 'ann', text: 'hi' });
   */
  async publish(channel: string, message: ChannelMessage): Promise<number> {
    this.#checkOpen();
    checkName('channel', channel);
    const payload = encodeMessage(message, this.maxMessageBytes);
    return this.backend.publish(channel, payload, this.historySize);
  }

  /**
   * Subscribes to `channel`. Resolves once the subscription is live: every message published
   * after that is delivered (subject to the slow-consumer policy). Rejects with
   * `PAGI_ERR_CHANNEL_UNAVAILABLE` when the backend is down at that moment; a subscription that
   * exists survives outages and resumes.
   *
   * @example
   * const sub = await layer.subscribe('room:lobby', { signal });
   * for await (const { id, data } of sub) await ws.sendJson({ id, data });
   */
  async subscribe(channel: string, options: SubscribeOptions = {}): Promise<Subscription> {
    this.#checkOpen();
    checkName('channel', channel);
    const bufferSize = checkCount('bufferSize', options.bufferSize ?? this.bufferSize, 1);
    const policy = checkPolicy(options.slowConsumer ?? this.slowConsumer);
    const since = options.since === undefined ? undefined : checkCount('since', options.since, 0);
    if (options.signal?.aborted)
      throw new ChannelError('PAGI_ERR_CHANNEL_CLOSED', 'expected a live signal, got one already aborted');
    // Also for a channel already listened to: a new subscriber during an outage is refused, not parked.
    if (this.backend.status === 'reconnecting') {
      throw new ChannelError(
        'PAGI_ERR_CHANNEL_UNAVAILABLE',
        `expected a connected ${this.backend.kind} backend, got one reconnecting`,
      );
    }

    const sub = new ChannelSubscription(`${channel}#${++this.#nextSubId}`, channel, bufferSize, policy, (s) =>
      this.#detach(s),
    );
    let entry = this.#channels.get(channel);
    if (!entry) {
      const created: ChannelEntry = { subs: new Set(), listening: Promise.resolve(), lastId: 0 };
      // Listen first, then read the channel's id: a message in between is delivered and raises lastId anyway.
      const listening = this.backend.listen(channel).then(async () => {
        if (this.historySize === 0) return; // no catch-up without history: the starting point is not needed
        try {
          created.lastId = Math.max(created.lastId, await this.backend.lastId(channel));
        } catch {
          // Unreachable right now: start at 0 (a catch-up may then replay older kept messages).
        }
      });
      created.listening = listening;
      entry = created;
      this.#channels.set(channel, entry);
      // A failed listen is reported to the subscriber below; forget the channel so the next subscribe retries.
      listening.catch(() => {
        if (this.#channels.get(channel)?.listening === listening) this.#channels.delete(channel);
      });
    }
    entry.subs.add(sub);
    const signal = options.signal;
    if (signal) {
      const onAbort = (): void => sub.unsubscribe();
      signal.addEventListener('abort', onAbort, { once: true });
      // A long-lived signal shared by many subscriptions must not keep the ended ones alive.
      sub.onEnd = () => signal.removeEventListener('abort', onAbort);
    }
    if (since !== undefined) sub.beginReplay();
    try {
      await entry.listening;
    } catch (error) {
      sub.unsubscribe();
      throw error;
    }
    // Cancelled while the backend was still subscribing: its unlisten may have gone out before the
    // listen, so repeat it unless another subscriber has taken the channel over since.
    if (sub.closed && !this.#channels.has(channel) && !this.#closed)
      this.backend.unlisten(channel).catch(() => {});
    if (since !== undefined) await this.#replay(channel, [sub], since);
    else sub.lastId = Math.max(sub.lastId, entry.lastId);
    return sub;
  }

  /**
   * Delivers to `subs` (in replay mode) the kept history after each one's `lastId`, then what
   * arrived live meanwhile (each subscriber skips ids it already has). `since`, for a new
   * subscriber, sets its starting point. A `lastId` beyond the channel's newest id means the
   * channel restarted its ids (a restarted in-memory process, a Redis without persistence that
   * came back empty): that subscriber starts over at 0 so new messages are not taken for old ones.
   */
  async #replay(channel: string, subs: ChannelSubscription[], since?: number): Promise<void> {
    const events: ChannelEvent[] = [];
    let newest: number | undefined;
    try {
      const history = await this.backend.history(channel, 0);
      newest = history.lastId;
      for (const entry of history.entries) {
        const event = this.#decode(channel, entry);
        if (event) events.push(event);
      }
    } catch {
      // History unreachable right now: continue live; the id jump shows the gap.
    }
    const entry = this.#channels.get(channel);
    if (entry && newest !== undefined && entry.lastId > newest) entry.lastId = newest;
    for (const sub of subs) {
      if (since !== undefined) sub.lastId = since;
      if (newest !== undefined && sub.lastId > newest) sub.lastId = 0;
      sub.endReplay(events);
    }
  }

  #decode(channel: string, entry: BackendEntry): ChannelEvent | undefined {
    const data = decodeMessage(entry.payload);
    return data === undefined ? undefined : { channel, id: entry.id, data };
  }

  #onMessage(channel: string, message: BackendEntry): void {
    const entry = this.#channels.get(channel);
    if (!entry || entry.subs.size === 0) return;
    const event = this.#decode(channel, message);
    if (!event) return; // not written by a channel layer (a foreign publisher on the same Redis)
    if (event.id > entry.lastId) entry.lastId = event.id;
    for (const sub of entry.subs) sub.deliver(event);
  }

  #onStatus(status: BackendStatus, cause?: unknown): void {
    if (status === 'reconnecting' && !this.#wasDown) {
      this.#wasDown = true;
      // Hold live delivery until the catch-up below has read history: ids must stay increasing.
      for (const { subs } of this.#channels.values()) for (const sub of subs) sub.beginReplay();
      this.emit('reconnecting', cause);
    } else if (status === 'ready' && this.#wasDown) {
      this.#wasDown = false;
      void this.#catchUp().then(() => this.emit('reconnected'));
    }
  }

  /** After an outage: each subscriber gets the messages it missed that history still holds. */
  async #catchUp(): Promise<void> {
    const work: Promise<void>[] = [];
    for (const [channel, { subs }] of this.#channels) {
      const live = [...subs];
      for (const sub of live) sub.beginReplay();
      if (live.length > 0) work.push(this.#replay(channel, live));
    }
    await Promise.all(work);
  }

  #detach(sub: ChannelSubscription): void {
    const entry = this.#channels.get(sub.channel);
    if (!entry?.subs.delete(sub) || entry.subs.size > 0) return;
    this.#channels.delete(sub.channel);
    if (!this.#closed) this.backend.unlisten(sub.channel).catch(() => {});
  }

  /**
   * The kept messages of `channel` newer than `since` (default: all kept), oldest first; at
   * most `historySize` of them.
   */
  async history(channel: string, options: { since?: number } = {}): Promise<ChannelEvent[]> {
    this.#checkOpen();
    checkName('channel', channel);
    const since = checkCount('since', options.since ?? 0, 0);
    const history = await this.backend.history(channel, since);
    const events: ChannelEvent[] = [];
    for (const entry of history.entries) {
      const event = this.#decode(channel, entry);
      if (event) events.push(event);
    }
    return events;
  }

  /**
   * Adds `member` (a channel name, typically one per connection) to `group`; `groupSend`
   * publishes to every member. Membership is shared through the backend, so any process can
   * send to a group; remove members with `groupDiscard` when their connection ends.
   */
  async groupAdd(group: string, member: string): Promise<void> {
    this.#checkOpen();
    checkName('group', group);
    checkName('channel', member);
    await this.backend.groupAdd(group, member);
  }

  async groupDiscard(group: string, member: string): Promise<void> {
    this.#checkOpen();
    checkName('group', group);
    checkName('channel', member);
    await this.backend.groupDiscard(group, member);
  }

  async groupMembers(group: string): Promise<string[]> {
    this.#checkOpen();
    checkName('group', group);
    return this.backend.groupMembers(group);
  }

  /** Publishes `message` to every member channel of `group`; resolves with the number of members. */
  async groupSend(group: string, message: ChannelMessage): Promise<number> {
    this.#checkOpen();
    checkName('group', group);
    const payload = encodeMessage(message, this.maxMessageBytes);
    const members = await this.backend.groupMembers(group);
    await Promise.all(members.map((member) => this.backend.publish(member, payload, this.historySize)));
    return members.length;
  }

  /** Subscribers of this process: on `channel`, or on every channel. */
  subscriberCount(channel?: string): number {
    if (channel !== undefined) return this.#channels.get(channel)?.subs.size ?? 0;
    let count = 0;
    for (const { subs } of this.#channels.values()) count += subs.size;
    return count;
  }

  /** Ends every subscription (their loops exit normally) and closes the backend. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const { subs } of [...this.#channels.values()]) for (const sub of [...subs]) sub.unsubscribe();
    this.#channels.clear();
    await this.backend.close();
  }
}

/**
 * Creates a channel layer. With no backend it is in-memory (one process); pass
 * `redisBackend({ url })` to reach every worker and machine.
 *
 * @example
 * import { createChannelLayer, redisBackend } from '@pagi/channels';
 * const layer = createChannelLayer({ backend: redisBackend({ url: process.env.REDIS_URL }), historySize: 100 });
 * const sub = await layer.subscribe('news');
 * await layer.publish('news', { title: 'hello' });
 * for await (const event of sub) console.log(event.id, event.data); // 1 { title: 'hello' }
 */
export function createChannelLayer(options?: ChannelLayerOptions): ChannelLayer {
  return new ChannelLayer(options);
}
