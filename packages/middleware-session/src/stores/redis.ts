/**
 * The Redis store: one key per session (`prefix + id`) holding `<created ms>|<data as JSON>` (or
 * the bare JSON, as written before the creation time was kept), expiring with
 * Redis' own TTL (`SET … PX`), so every process and machine sharing the Redis shares sessions.
 * Every command is bounded by `timeout`: a Redis that is down or stalled makes the request fail
 * with `PAGI_ERR_SESSION_STORE`, never hang.
 */
import { PagiValidationError } from '@pagi/spec';
import { storeFailed } from '../errors.js';
import { isSessionId, type SessionRecord, type SessionStore } from '../store.js';

/** The commands the store uses: an `ioredis` client (`new Redis(url, options)`) fits. */
export interface RedisClientLike {
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
  pexpire(key: string, milliseconds: number): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: string[]): Promise<unknown>;
}

export interface RedisStoreOptions {
  /**
   * The client; it stays yours (the store never closes it). Create it to fail fast, so a Redis
   * outage becomes an error rather than queued commands: `new Redis(url, { enableOfflineQueue:
   * false, maxRetriesPerRequest: 1, commandTimeout: 1000 })`.
   */
  client: RedisClientLike;
  /** Prefix of every key. Default `'pagi:session:'`. */
  prefix?: string;
  /** Longest a command may take before the request fails with `PAGI_ERR_SESSION_STORE`, in ms. Default `2000`. */
  timeout?: number;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

// GET and PTTL in one round trip, so the middleware knows how much of the TTL is left (when
// sliding expiry should touch the record) without a second command.
const GET_SCRIPT = `return { redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]) }`;

// SET only while the key exists (SET … XX): a session deleted meanwhile stays deleted.
const UPDATE_SCRIPT = `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'XX')`;

/** The stored value: the creation time first, so the data's JSON stays the rest of it. */
function encode(record: SessionRecord): string {
  const json = JSON.stringify(record.data);
  return record.created === undefined ? json : `${record.created}|${json}`;
}

const CREATED = /^(\d{1,16})\|/;

/** The data and creation time of a stored value; bare JSON (`{…}`) is a value from before `created`. */
function decode(value: string): { data: unknown; created: number | undefined } | undefined {
  const match = CREATED.exec(value);
  try {
    if (match === null) return { data: JSON.parse(value), created: undefined };
    return { data: JSON.parse(value.slice(match[0].length)), created: Number(match[1]) };
  } catch {
    return undefined; // not ours (a foreign key under the prefix): treated as unknown
  }
}

const KNOWN: ReadonlySet<string> = new Set(['client', 'prefix', 'timeout', 'now']);

/** A {@link SessionStore} on Redis, shared by every process that uses the same Redis and prefix. */
export function redisStore(options: RedisStoreOptions): SessionStore {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('redisStore(): expected an options object with a client');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`redisStore(): unknown option '${key}'`);
  }
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.eval !== 'function') {
    throw new PagiValidationError('redisStore(): expected client to be a Redis client (ioredis)');
  }
  const prefix = options.prefix ?? 'pagi:session:';
  if (typeof prefix !== 'string')
    throw new PagiValidationError('redisStore(): expected prefix to be a string');
  const timeout = options.timeout ?? 2000;
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new PagiValidationError(`redisStore(): expected timeout to be an integer ≥ 1 (ms), got ${timeout}`);
  }
  const now = options.now ?? Date.now;

  /** `command`, rejected with PAGI_ERR_SESSION_STORE on failure or after `timeout` ms. */
  const bounded = <T>(what: string, command: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(storeFailed(what, new Error(`no answer within ${timeout} ms`))),
        timeout,
      );
      let pending: Promise<T>;
      try {
        pending = command();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(storeFailed(what, error));
        },
      );
    });

  return {
    async get(handle) {
      if (!isSessionId(handle)) return undefined;
      const reply = (await bounded('read a session', () => client.eval(GET_SCRIPT, 1, prefix + handle))) as [
        string | null,
        number,
      ];
      const [json, ttl] = Array.isArray(reply) ? reply : [null, -2];
      if (typeof json !== 'string' || ttl <= 0) return undefined;
      const stored = decode(json);
      const data = stored?.data;
      if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
      return {
        id: handle,
        data: data as Record<string, unknown>,
        expires: now() + ttl,
        created: stored?.created,
      };
    },
    async set(record: SessionRecord) {
      const ttl = Math.max(1, record.expires - now());
      await bounded('save a session', () => client.set(prefix + record.id, encode(record), 'PX', ttl));
      return record.id;
    },
    async update(record: SessionRecord) {
      const ttl = Math.max(1, record.expires - now());
      const reply = await bounded('save a session', () =>
        client.eval(UPDATE_SCRIPT, 1, prefix + record.id, encode(record), String(ttl)),
      );
      return reply === null ? undefined : record.id;
    },
    async touch(id, expires) {
      await bounded('extend a session', () => client.pexpire(prefix + id, Math.max(1, expires - now())));
    },
    async delete(id) {
      await bounded('delete a session', () => client.del(prefix + id));
    },
  };
}
