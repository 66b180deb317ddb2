import { createHash } from 'node:crypto';
import {
  type ConnectionScope,
  type Header,
  type HeaderList,
  isPagiError,
  type Middleware,
  PagiValidationError,
} from '@pagi/spec';
import { defineMiddleware, editHeaders, respond, type ScopeHandler } from '@pagi/spec/middleware';
import type { Algorithm, Decision, Policy } from './decision.js';
import { addressKey } from './client-key.js';
import { RateLimitStoreError } from './errors.js';
import { memoryStore } from './memory-store.js';
import type { RateLimitStore } from './store.js';

/** The scope types a limiter can count. */
export type LimitedScope = 'http' | 'websocket' | 'sse';

/** What a request gets when the store fails: `'reject'` (503) or `'allow'` (the app runs, unlimited). */
export type StoreErrorPolicy = 'reject' | 'allow';

export interface RateLimitOptions {
  /** Hits allowed per window (the token bucket's capacity: also the burst). Default 60. */
  limit?: number;
  /** The window in ms (the time an empty bucket takes to refill). Default 60000. */
  windowMs?: number;
  /** `'token-bucket'` (smooth refill, bursts up to `limit`) or `'sliding-window'`. Default `'token-bucket'`. */
  algorithm?: Algorithm;
  /**
   * Who is counted: a string per client, or `undefined` to let this request through uncounted.
   * Default the client address (`scope.client[0]`), `'unknown'` without one (a Unix socket): behind
   * a proxy, put the reverse-proxy middleware (or the server's `forwardedAllowIps`) first.
   */
  key?: (scope: ConnectionScope) => string | undefined;
  /**
   * With the default `key`: IPv6 clients are counted per network of this many leading bits (one
   * subscriber usually holds a /56 or /64, so counting single addresses lets one client rotate
   * through fresh quotas); IPv4-mapped addresses count as their IPv4 address. `false` counts
   * every IPv6 address alone. Default `56`.
   */
  ipv6Subnet?: number | false;
  /** Where counters live. Default a new {@link memoryStore} per limiter. */
  store?: RateLimitStore;
  /** Names this limiter's keys in a shared store; limiters sharing a store and name share counters. Default `'default'`. */
  name?: string;
  /** Which scope types are counted; the others pass through. Default `['http']`. */
  scopes?: readonly LimitedScope[];
  /** Adds `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` to responses. Default true. */
  headers?: boolean;
  /** What to do when the store fails (Redis down): `'reject'` (503), `'allow'`, or a function choosing. Default `'reject'`. */
  onStoreError?:
    | StoreErrorPolicy
    | ((error: RateLimitStoreError, scope: ConnectionScope) => StoreErrorPolicy);
  /** The body of the 429. Default `'Too Many Requests'`. */
  message?: string;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'limit',
  'windowMs',
  'algorithm',
  'key',
  'ipv6Subnet',
  'store',
  'name',
  'scopes',
  'headers',
  'onStoreError',
  'message',
]);
/** Keys longer than this are hashed: a store never holds a client-chosen megabyte key. */
const MAX_KEY = 128;

function fail(message: string): never {
  throw new PagiValidationError(`rateLimit(): ${message}`);
}

const OWN_HEADERS: ReadonlySet<string> = new Set([
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
]);

/**
 * `headers` plus RateLimit-Limit/-Remaining/-Reset (draft-ietf-httpapi-ratelimit-headers, the
 * three-field form; Reset in delta seconds), replacing any the app set: one new list, one pass.
 */
function limitHeaders(headers: readonly Header[], decision: Decision): HeaderList {
  const out: HeaderList = [];
  for (const header of headers) if (!OWN_HEADERS.has(header[0].toLowerCase())) out.push(header);
  out.push(
    ['ratelimit-limit', String(decision.limit)],
    ['ratelimit-remaining', String(decision.remaining)],
    ['ratelimit-reset', String(Math.ceil(decision.resetMs / 1000))],
  );
  return out;
}

/**
 * Limits how often each client may make requests. Every limiter has its own counters (its own
 * memory store, or its own `name` in a shared store). A request over the limit gets `429` with
 * `Retry-After` (seconds); every counted response carries `RateLimit-Limit`, `RateLimit-Remaining`
 * and `RateLimit-Reset`.
 *
 * @throws PagiValidationError for an unknown option or a bad value (when called, not per request).
 * @example
 * const app = compose(rateLimit({ limit: 100, windowMs: 60_000 }))(router.app);
 */
export function rateLimit(options: RateLimitOptions = {}): Middleware {
  if (options === null || typeof options !== 'object') fail('expected an options object');
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option '${key}'`);
  }
  const limit = options.limit ?? 60;
  if (!Number.isSafeInteger(limit) || limit < 1) fail(`expected limit to be an integer ≥ 1, got ${limit}`);
  const windowMs = options.windowMs ?? 60_000;
  if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
    fail(`expected windowMs to be an integer ≥ 1 (ms), got ${windowMs}`);
  }
  const algorithm = options.algorithm ?? 'token-bucket';
  if (algorithm !== 'token-bucket' && algorithm !== 'sliding-window') {
    fail(`expected algorithm to be 'token-bucket' or 'sliding-window', got ${JSON.stringify(algorithm)}`);
  }
  const ipv6Subnet = options.ipv6Subnet ?? 56;
  if (ipv6Subnet !== false && !(Number.isInteger(ipv6Subnet) && ipv6Subnet >= 1 && ipv6Subnet <= 128)) {
    fail(`expected ipv6Subnet to be an integer from 1 to 128 or false, got ${JSON.stringify(ipv6Subnet)}`);
  }
  const clientKey = (scope: ConnectionScope): string => {
    const address = scope.client?.[0];
    return address === undefined ? 'unknown' : addressKey(address, ipv6Subnet);
  };
  const keyOf = options.key ?? clientKey;
  if (typeof keyOf !== 'function') fail('expected key to be a function (scope) => string | undefined');
  const store = options.store ?? memoryStore();
  if (store === null || typeof store !== 'object' || typeof store.hit !== 'function') {
    fail('expected store to be an object with a hit(key, policy) method');
  }
  const name = options.name ?? 'default';
  if (typeof name !== 'string' || name === '' || name.length > 64) {
    fail(`expected name to be a string of 1 to 64 characters, got ${JSON.stringify(name)}`);
  }
  const scopes = new Set(options.scopes ?? ['http']);
  for (const type of scopes) {
    if (type !== 'http' && type !== 'websocket' && type !== 'sse') {
      fail(`expected scopes to list 'http', 'websocket' or 'sse', got ${JSON.stringify(type)}`);
    }
  }
  const withHeaders = options.headers ?? true;
  if (typeof withHeaders !== 'boolean') fail('expected headers to be a boolean');
  const onStoreError = options.onStoreError ?? 'reject';
  if (onStoreError !== 'reject' && onStoreError !== 'allow' && typeof onStoreError !== 'function') {
    fail(`expected onStoreError to be 'reject', 'allow' or a function, got ${JSON.stringify(onStoreError)}`);
  }
  const message = options.message ?? 'Too Many Requests';
  if (typeof message !== 'string') fail('expected message to be a string');

  const policy: Policy = { algorithm, limit, windowMs };
  const keyPrefix = `${name}:${algorithm === 'token-bucket' ? 'tb' : 'sw'}:`;
  const storeKey = (raw: string): string =>
    keyPrefix + (raw.length > MAX_KEY ? `#${createHash('sha256').update(raw).digest('base64url')}` : raw);

  const unavailable = { headers: { 'retry-after': '1' }, body: 'Service Unavailable' };

  /** The decision for this scope; `null` when it is not counted (or the store failed and `'allow'` won). */
  const decide = async (scope: ConnectionScope): Promise<Decision | null | 'reject'> => {
    const raw = keyOf(scope);
    if (raw === undefined) return null;
    if (typeof raw !== 'string') {
      throw new PagiValidationError(
        `rateLimit(): expected key() to return a string or undefined, got ${typeof raw}`,
      );
    }
    try {
      return await store.hit(storeKey(raw), policy);
    } catch (cause) {
      const error =
        isPagiError(cause) && cause.code === 'PAGI_ERR_RATE_LIMIT_STORE'
          ? (cause as RateLimitStoreError)
          : new RateLimitStoreError(
              `expected the rate-limit store to count the hit, got: ${cause instanceof Error ? cause.message : String(cause)}`,
              { cause },
            );
      const choice = typeof onStoreError === 'function' ? onStoreError(error, scope) : onStoreError;
      return choice === 'allow' ? null : 'reject';
    }
  };

  /**
   * Counts the hit and answers it when it may not proceed (429, or 503 when the store failed):
   * `false` then; else the headers edit to wrap `send` with, or `null` for none.
   */
  const guard = async (
    scope: ConnectionScope,
    send: (event: never) => Promise<void>,
  ): Promise<((headers: HeaderList) => HeaderList) | null | false> => {
    const decision = await decide(scope);
    if (decision === null) return null;
    if (decision === 'reject') {
      await respond(scope, send, 503, unavailable);
      return false;
    }
    if (!decision.allowed) {
      const headers: HeaderList = [
        ['retry-after', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)))],
      ];
      await respond(scope, send, 429, {
        headers: withHeaders ? limitHeaders(headers, decision) : headers,
        body: message,
      });
      return false;
    }
    return withHeaders ? (headers) => limitHeaders(headers, decision) : null;
  };

  const http: ScopeHandler<'http'> = async (scope, receive, send, app) => {
    const edit = await guard(scope, send);
    if (edit === false) return;
    return app(scope, receive, edit === null ? send : editHeaders(send, edit));
  };
  const websocket: ScopeHandler<'websocket'> = async (scope, receive, send, app) => {
    const edit = await guard(scope, send);
    if (edit === false) return;
    return app(scope, receive, edit === null ? send : editHeaders(send, edit));
  };
  const sse: ScopeHandler<'sse'> = async (scope, receive, send, app) => {
    const edit = await guard(scope, send);
    if (edit === false) return;
    return app(scope, receive, edit === null ? send : editHeaders(send, edit));
  };
  return defineMiddleware('rateLimit', {
    http: scopes.has('http') ? http : undefined,
    websocket: scopes.has('websocket') ? websocket : undefined,
    sse: scopes.has('sse') ? sse : undefined,
  });
}
