/**
 * `@pagi/middleware-rate-limit/redis`: a store on Redis (ioredis), so every process and machine
 * using one Redis shares the limits. A separate entry point: importing the package itself does
 * not load ioredis.
 */
import { createHash } from 'node:crypto';
import { PagiValidationError } from '@pagi/spec';
import { Redis } from 'ioredis';
import { type Decision, type Policy, slidingWindowDecision, tokenBucketDecision } from './decision.js';
import { RateLimitStoreError } from './errors.js';
import { HIT_SCRIPT } from './redis-script.js';
import type { RateLimitStore } from './store.js';

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). Default `redis://127.0.0.1:6379`. Ignored with `client`. */
  url?: string;
  /**
   * Your own ioredis client instead of `url`; it stays yours (`close()` leaves it open). Give it
   * `enableOfflineQueue: false` and a `commandTimeout`, or a request may wait while Redis is down.
   */
  client?: Redis;
  /** Prefix of every Redis key. Default `'pagi:rl:'`. */
  prefix?: string;
  /** How long one hit may wait for Redis before it fails (→ `onStoreError`). Default 500 ms. */
  commandTimeout?: number;
  /** How long the first connection may take; hits before it wait at most this long. Default 2000 ms. */
  connectTimeout?: number;
}

/** A {@link RateLimitStore} with a `close()` for the connection it opened. */
export interface RedisStore extends RateLimitStore {
  /** Closes the connection this store opened (not a `client` you gave). */
  close(): Promise<void>;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'url',
  'client',
  'prefix',
  'commandTimeout',
  'connectTimeout',
]);
const SHA = createHash('sha1').update(HIT_SCRIPT).digest('hex');
const ALGORITHM_CODE = { 'token-bucket': 'tb', 'sliding-window': 'sw' } as const;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new PagiValidationError(`redisStore(): expected ${name} to be a number > 0 (ms), got ${value}`);
  }
  return value;
}

/**
 * A store on Redis: one Lua script per hit (EVALSHA, and EVAL when Redis answers NOSCRIPT, e.g.
 * after a restart or `SCRIPT FLUSH`), keys expiring once their quota is full again. The
 * connection fails fast: no offline queue, no retried commands, a `commandTimeout`, so a hit while
 * Redis is down or stalled rejects with a {@link RateLimitStoreError} at once (or after
 * `commandTimeout`) instead of hanging the request.
 *
 * @throws PagiValidationError for an unknown option or a bad timeout.
 * @example
 * const store = redisStore({ url: process.env.REDIS_URL });
 * compose(rateLimit({ limit: 100, windowMs: 60_000, store, name: 'api' }))(app);
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`redisStore(): unknown option '${key}'`);
  }
  const prefix = options.prefix ?? 'pagi:rl:';
  if (typeof prefix !== 'string')
    throw new PagiValidationError('redisStore(): expected prefix to be a string');
  const commandTimeout = positive('commandTimeout', options.commandTimeout, 500);
  const connectTimeout = positive('connectTimeout', options.connectTimeout, 2000);
  const owned = options.client === undefined;
  const client =
    options.client ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      // No offline queue: a hit while disconnected fails at once instead of waiting in memory.
      enableOfflineQueue: false,
      // A command in flight when the connection drops fails instead of being retried later.
      maxRetriesPerRequest: 0,
      commandTimeout,
      connectTimeout,
      retryStrategy: (attempt) => Math.min(2000, 50 * 2 ** Math.min(attempt, 6)),
    });
  let lastError: unknown;
  // Without a listener ioredis prints every failed reconnect; the error reaches callers instead.
  client.on('error', (error) => {
    lastError = error;
  });

  // Hits sent before the first connection wait for it (at most connectTimeout), once, shared.
  let firstReady: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    if (client.status === 'ready') return Promise.resolve();
    firstReady ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no connection within ${connectTimeout} ms`)),
        connectTimeout,
      );
      timer.unref();
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return firstReady;
  };
  let everReady = client.status === 'ready';
  client.once('ready', () => {
    everReady = true;
  });

  const run = async (key: string, args: string[]): Promise<string[]> => {
    if (!everReady) await ready();
    try {
      return (await client.evalsha(SHA, 1, key, ...args)) as string[];
    } catch (error) {
      // The script cache is empty (a restarted or flushed Redis): send the script itself once.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return (await client.eval(HIT_SCRIPT, 1, key, ...args)) as string[];
      }
      throw error;
    }
  };

  return {
    async hit(key: string, policy: Policy): Promise<Decision> {
      let reply: string[];
      try {
        reply = await run(`${prefix}${key}`, [
          ALGORITHM_CODE[policy.algorithm],
          String(policy.limit),
          String(policy.windowMs),
        ]);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error ?? lastError);
        throw new RateLimitStoreError(`expected Redis to count the hit, got: ${reason}`, { cause: error });
      }
      const allowed = reply[0] === '1';
      if (policy.algorithm === 'token-bucket') return tokenBucketDecision(allowed, Number(reply[1]), policy);
      return slidingWindowDecision(allowed, Number(reply[1]), Number(reply[2]), Number(reply[3]), policy);
    },
    async close(): Promise<void> {
      if (!owned) return;
      try {
        await client.quit();
      } catch {
        client.disconnect(); // already down: nothing to say goodbye to
      }
    },
  };
}

export { RateLimitStoreError } from './errors.js';
