import { Redis, type RedisOptions } from 'ioredis';
import type {
  BackendEntry,
  BackendHistory,
  BackendListener,
  BackendStatus,
  ChannelBackend,
} from './backend.js';
import { ChannelError } from './errors.js';

/** Options of {@link redisBackend}. */
export interface RedisBackendOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /**
   * An ioredis client to use for commands instead of `url`; it stays yours (not closed by
   * `close()`). The subscriber connection is a `client.duplicate()` with this backend's settings.
   */
  client?: Redis;
  /** Prefix of every Redis key and pub/sub channel this backend uses. Default `'pagi:'`. */
  prefix?: string;
  /** How long a publish, history read or group change may wait for Redis before rejecting. Default 2000 ms. */
  commandTimeout?: number;
  /** How long the first connection may take before publishes and subscribes reject. Default 5000 ms. */
  connectTimeout?: number;
  /** Reconnect backoff: the delay doubles from `min` up to `max` (ms), with jitter, forever. Default `{ min: 50, max: 2000 }`. */
  backoff?: { min?: number; max?: number };
}

// One atomic step per publish (a Lua script runs without interleaving): allocate the id, keep
// the entry in the capped history list, PUBLISH it. Ids thus follow publish order across every
// process, history and live delivery never disagree, and the list never exceeds historySize.
// (A capped stream, XADD MAXLEN, was the alternative: its ids are time-based strings, not the
// gap-free 1, 2, 3 that let a subscriber see exactly what it missed, and it needs the same
// script to also PUBLISH.)
const PUBLISH_SCRIPT = `
local id = redis.call('INCR', KEYS[1])
local entry = id .. ' ' .. ARGV[1]
local keep = tonumber(ARGV[2])
if keep > 0 then
  redis.call('RPUSH', KEYS[2], entry)
  redis.call('LTRIM', KEYS[2], -keep, -1)
end
redis.call('PUBLISH', KEYS[3], entry)
return id
`;

function parseEntry(raw: string): BackendEntry | undefined {
  const space = raw.indexOf(' ');
  const id = Number(raw.slice(0, space));
  if (space < 1 || !Number.isSafeInteger(id) || id < 1) return undefined;
  return { id, payload: raw.slice(space + 1) };
}

function unavailable(what: string, cause: unknown): ChannelError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ChannelError('PAGI_ERR_CHANNEL_UNAVAILABLE', `expected Redis to ${what}, got: ${reason}`, {
    cause,
  });
}

type RedisWithScript = Redis & {
  pagiChannelPublish(
    idKey: string,
    historyKey: string,
    channelKey: string,
    payload: string,
    keep: number,
  ): Promise<number>;
};

class RedisBackend implements ChannelBackend {
  readonly kind = 'redis';
  #prefix: string;
  #cmd: RedisWithScript;
  #sub: Redis;
  #ownsCmd: boolean;
  #connectTimeout: number;
  #status: BackendStatus = 'connecting';
  #everReady = false;
  /** Settles once: resolved by the first 'ready' of both connections, rejected after connectTimeout. */
  #initial: Promise<void>;
  #resolveInitial: () => void = () => {};
  #initialFailed = false;
  #lastError: unknown;
  #channels = new Set<string>();
  #onMessage: BackendListener | undefined;
  #onStatus: ((status: BackendStatus, cause?: unknown) => void) | undefined;

  constructor(options: RedisBackendOptions) {
    this.#prefix = options.prefix ?? 'pagi:';
    this.#connectTimeout = options.connectTimeout ?? 5000;
    const min = options.backoff?.min ?? 50;
    const max = options.backoff?.max ?? 2000;
    const settings: RedisOptions = {
      // No offline queue: a command while disconnected fails at once instead of piling up in memory.
      enableOfflineQueue: false,
      // A command in flight when the connection drops fails instead of being retried behind the caller's back.
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeout ?? 2000,
      connectTimeout: this.#connectTimeout,
      // We re-SUBSCRIBE ourselves, so 'reconnected' is reported only once the channels are live again.
      autoResubscribe: false,
      retryStrategy: (attempt) =>
        Math.min(max, min * 2 ** Math.min(attempt - 1, 20)) * (0.75 + Math.random() * 0.5),
    };
    if (options.client?.options.keyPrefix) {
      // ioredis prefixes keys (and so the PUBLISH inside the script) but not SUBSCRIBE: they would never meet.
      throw new ChannelError(
        'PAGI_ERR_CHANNEL_OPTION',
        `expected a client without keyPrefix (use this backend's prefix option), got keyPrefix '${options.client.options.keyPrefix}'`,
      );
    }
    if (options.client) {
      this.#cmd = options.client as RedisWithScript;
      this.#ownsCmd = false;
      this.#sub = options.client.duplicate(settings);
    } else {
      const url = options.url ?? 'redis://127.0.0.1:6379';
      this.#cmd = new Redis(url, settings) as RedisWithScript;
      this.#ownsCmd = true;
      this.#sub = new Redis(url, settings);
    }
    // One shared wait for the first connection (not a listener and timer per caller).
    this.#initial = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#initialFailed = true;
        reject(new Error(`no connection within ${this.#connectTimeout} ms`));
      }, this.#connectTimeout);
      timer.unref();
      this.#resolveInitial = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#initial.catch(() => {}); // reported to each caller by #usable
    this.#cmd.defineCommand('pagiChannelPublish', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
    // An 'error' listener keeps ioredis from printing each failed reconnect; the status events report outages.
    this.#cmd.on('error', (error) => {
      this.#lastError = error;
    });
    this.#sub.on('error', (error) => {
      this.#lastError = error;
    });
    this.#sub.on('message', (key: string, raw: string) => this.#message(key, raw));
    // The backend is ready only when both connections are; either one dropping is an outage.
    for (const connection of [this.#cmd, this.#sub]) {
      connection.on('ready', () => void this.#ready());
      connection.on('close', () => this.#down());
    }
  }

  get status(): BackendStatus {
    return this.#status;
  }

  attach(onMessage: BackendListener, onStatus: (status: BackendStatus, cause?: unknown) => void): void {
    if (this.#onMessage) {
      throw new ChannelError(
        'PAGI_ERR_CHANNEL_OPTION',
        'expected a fresh backend, got one already used by another layer',
      );
    }
    this.#onMessage = onMessage;
    this.#onStatus = onStatus;
  }

  #channelKey(channel: string): string {
    return `${this.#prefix}ch:${channel}`;
  }

  #message(key: string, raw: string): void {
    const channelPrefix = `${this.#prefix}ch:`;
    if (!key.startsWith(channelPrefix)) return;
    const entry = parseEntry(raw);
    if (entry) this.#onMessage?.(key.slice(channelPrefix.length), entry);
  }

  async #ready(): Promise<void> {
    if (this.#status === 'closed' || this.#status === 'ready') return;
    if (this.#cmd.status !== 'ready' || this.#sub.status !== 'ready') return; // the other one's 'ready' comes later
    // SUBSCRIBE is idempotent, so re-subscribing after only the command connection dropped is harmless.
    if (this.#everReady && this.#channels.size > 0) {
      try {
        await this.#sub.subscribe(...[...this.#channels].map((channel) => this.#channelKey(channel)));
      } catch {
        return; // dropped again; the next 'ready' retries
      }
      if (this.#status !== 'reconnecting' && this.#status !== 'connecting') return; // closed, or a concurrent call won
      if (this.#cmd.status !== 'ready' || this.#sub.status !== 'ready') return;
    }
    this.#everReady = true;
    this.#resolveInitial();
    this.#lastError = undefined;
    this.#status = 'ready';
    this.#onStatus?.('ready');
  }

  #down(): void {
    if (this.#status !== 'ready') return;
    this.#status = 'reconnecting';
    this.#onStatus?.('reconnecting', unavailable('stay connected', this.#lastError ?? 'connection closed'));
  }

  /** Waits (bounded by connectTimeout) for the first connection; fails at once during an outage. */
  async #usable(client: Redis, what: string): Promise<void> {
    if (this.#status === 'closed') {
      throw new ChannelError(
        'PAGI_ERR_CHANNEL_CLOSED',
        'expected an open Redis backend, got one after close()',
      );
    }
    if (client.status === 'ready' && this.#everReady) return;
    if (this.#everReady || this.#initialFailed)
      throw unavailable(what, this.#lastError ?? `connection ${client.status}`);
    try {
      await this.#initial;
    } catch (error) {
      throw unavailable(what, this.#lastError ?? error);
    }
    if (client.status !== 'ready') throw unavailable(what, this.#lastError ?? `connection ${client.status}`);
  }

  async publish(channel: string, payload: string, historySize: number): Promise<number> {
    await this.#usable(this.#cmd, 'accept a publish');
    try {
      const id = await this.#cmd.pagiChannelPublish(
        `${this.#prefix}id:${channel}`,
        `${this.#prefix}h:${channel}`,
        this.#channelKey(channel),
        payload,
        historySize,
      );
      return Number(id);
    } catch (error) {
      throw unavailable('accept a publish', error);
    }
  }

  async listen(channel: string): Promise<void> {
    await this.#usable(this.#sub, 'accept a subscription');
    this.#channels.add(channel);
    try {
      await this.#sub.subscribe(this.#channelKey(channel));
    } catch (error) {
      this.#channels.delete(channel);
      throw unavailable('accept a subscription', error);
    }
  }

  async unlisten(channel: string): Promise<void> {
    this.#channels.delete(channel);
    if (this.#sub.status !== 'ready') return; // not subscribed on the next connection anyway
    await this.#sub.unsubscribe(this.#channelKey(channel));
  }

  async history(channel: string, since: number): Promise<BackendHistory> {
    await this.#usable(this.#cmd, 'read history');
    let results: [Error | null, unknown][] | null;
    try {
      results = await this.#cmd
        .multi()
        .lrange(`${this.#prefix}h:${channel}`, 0, -1)
        .get(`${this.#prefix}id:${channel}`)
        .exec();
    } catch (error) {
      throw unavailable('read history', error);
    }
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw unavailable('read history', failed?.[0] ?? 'transaction aborted');
    const entries: BackendEntry[] = [];
    for (const raw of (results[0]?.[1] ?? []) as string[]) {
      const entry = parseEntry(raw);
      if (entry && entry.id > since) entries.push(entry);
    }
    return { entries, lastId: Number(results[1]?.[1] ?? 0) };
  }

  async lastId(channel: string): Promise<number> {
    return Number(
      (await this.#command('read a channel id', () => this.#cmd.get(`${this.#prefix}id:${channel}`))) ?? 0,
    );
  }

  async #command<T>(what: string, run: () => Promise<T>): Promise<T> {
    await this.#usable(this.#cmd, what);
    try {
      return await run();
    } catch (error) {
      throw unavailable(what, error);
    }
  }

  async groupAdd(group: string, member: string): Promise<void> {
    await this.#command('add a group member', () => this.#cmd.sadd(`${this.#prefix}g:${group}`, member));
  }

  async groupDiscard(group: string, member: string): Promise<void> {
    await this.#command('remove a group member', () => this.#cmd.srem(`${this.#prefix}g:${group}`, member));
  }

  async groupMembers(group: string): Promise<string[]> {
    return this.#command('list group members', () => this.#cmd.smembers(`${this.#prefix}g:${group}`));
  }

  async close(): Promise<void> {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    this.#channels.clear();
    this.#sub.disconnect();
    if (this.#ownsCmd) this.#cmd.disconnect();
  }
}

/**
 * The Redis backend (ioredis): publishes reach subscribers in every process and on every
 * machine using the same Redis. Two connections: one for commands, one in subscriber mode.
 * During an outage, publishes reject at once with `PAGI_ERR_CHANNEL_UNAVAILABLE` (no offline
 * queue), subscriptions stay open, and the backend reconnects with exponential backoff,
 * re-subscribes, and reports `'reconnected'`.
 *
 * @example
 * const layer = createChannelLayer({ backend: redisBackend({ url: 'redis://127.0.0.1:6379', prefix: 'myapp:' }) });
 */
export function redisBackend(options: RedisBackendOptions = {}): ChannelBackend {
  return new RedisBackend(options);
}
