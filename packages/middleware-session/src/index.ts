import { type ConnectionScope, type Middleware, PagiValidationError } from '@pagi/spec';
import { defineMiddleware, SESSION, withKey } from '@pagi/spec/middleware';
import { storeFailed } from './errors.js';
import { type SessionConfig, SessionHandle } from './session-handle.js';
import type { SessionStore } from './store.js';
import { memoryStore } from './stores/memory.js';
import { cookieTransport, type SessionTransport } from './transports.js';

export { SESSION, type Session, type SessionData } from '@pagi/spec/middleware';
export { SessionError, type SessionErrorCode } from './errors.js';
export { isSessionId, newSessionId, type SessionRecord, type SessionStore } from './store.js';
export { memoryStore, type MemoryStoreOptions } from './stores/memory.js';
export { redisStore, type RedisClientLike, type RedisStoreOptions } from './stores/redis.js';
export { cookieStore, type CookieStoreOptions } from './stores/cookie.js';
export {
  bearerTransport,
  cookieTransport,
  type CookieTransportOptions,
  headerTransport,
  type HeaderTransportOptions,
  type SessionTransport,
} from './transports.js';

export interface SessionOptions {
  /** Where sessions are kept. Default: a new `memoryStore()` (single process only). */
  store?: SessionStore;
  /** How the session handle travels. Default `cookieTransport()`. */
  transport?: SessionTransport;
  /** Idle lifetime in seconds: a session unused for longer expires (sliding). Default `3600`. */
  maxAge?: number;
  /**
   * Seconds after a save or touch before an unchanged session is touched again (its expiry slid,
   * the cookie re-sent); `0` touches on every request. At most `maxAge`. Default `60`.
   */
  touchAfter?: number;
  /**
   * Absolute lifetime in seconds: a session ends this long after it was created (or regenerated,
   * e.g. at login), however active it stays (OWASP Session Management: absolute timeout). The
   * sliding `maxAge` never extends it past this. Default: none (only the idle `maxAge` applies).
   */
  absoluteMaxAge?: number;
  /** The clock (epoch ms), for tests. Default `Date.now`. */
  now?: () => number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'store',
  'transport',
  'maxAge',
  'touchAfter',
  'absoluteMaxAge',
  'now',
]);

function seconds(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new PagiValidationError(
      `session(): expected ${name} to be an integer ≥ ${min} (seconds), got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Sessions: the handle the request carries (a cookie by default) is looked up in the store and
 * the inner app gets a {@link Session} through `SESSION`. Read-write for HTTP; read-only for
 * WebSocket and SSE (writes throw `PAGI_ERR_SESSION_READ_ONLY`). An unknown, expired or forged
 * handle is never adopted: the request gets a new session with a new random ID. The session is
 * saved, and the cookie sent, only when it changed (or its sliding expiry is due).
 *
 * @throws PagiValidationError for an unknown or bad option (when applied).
 * @throws SessionError `PAGI_ERR_SESSION_STORE` (per request) when the store fails or times out.
 * @example
 * const app = compose(session({ store: redisStore({ client: redis }) }))(router.app);
 */
export function session(options: SessionOptions = {}): Middleware {
  if (options === null || typeof options !== 'object') {
    throw new PagiValidationError('session(): expected an options object');
  }
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`session(): unknown option '${key}'`);
  }
  const store = options.store ?? memoryStore();
  if (
    typeof store?.get !== 'function' ||
    typeof store.set !== 'function' ||
    typeof store.delete !== 'function'
  ) {
    throw new PagiValidationError('session(): expected store to have get, set and delete methods');
  }
  const transport = options.transport ?? cookieTransport();
  if (typeof transport?.read !== 'function') {
    throw new PagiValidationError('session(): expected transport to have a read(scope) method');
  }
  const maxAge = seconds('maxAge', options.maxAge, 3600, 1);
  const touchAfter = seconds('touchAfter', options.touchAfter, Math.min(60, maxAge), 0);
  if (touchAfter > maxAge) {
    throw new PagiValidationError(
      `session(): expected touchAfter (${touchAfter}) to be at most maxAge (${maxAge})`,
    );
  }
  const absoluteMaxAge =
    options.absoluteMaxAge === undefined
      ? undefined
      : seconds('absoluteMaxAge', options.absoluteMaxAge, 0, 1);
  const config: SessionConfig = {
    store,
    transport,
    maxAgeMs: maxAge * 1000,
    touchAfterMs: touchAfter * 1000,
    absoluteMs: absoluteMaxAge === undefined ? undefined : absoluteMaxAge * 1000,
    now: options.now ?? Date.now,
  };

  const load = async (scope: ConnectionScope, readOnly: boolean): Promise<SessionHandle> => {
    const handle = transport.read(scope);
    if (handle === undefined || handle === '')
      return new SessionHandle(config, undefined, undefined, readOnly);
    let record: Awaited<ReturnType<SessionStore['get']>>;
    try {
      record = await store.get(handle);
    } catch (error) {
      throw storeFailed('read a session', error);
    }
    // A store that kept an expired record does not revive it.
    const t = config.now();
    if (record !== undefined && !(record.expires > t)) record = undefined;
    // A record saved under a longer (or no) absolute limit still ends at today's.
    if (record?.created !== undefined && config.absoluteMs !== undefined) {
      if (t >= record.created + config.absoluteMs) record = undefined;
    }
    return new SessionHandle(config, record, handle, readOnly);
  };

  return defineMiddleware('session', {
    http: async (scope, receive, send, app) => {
      const current = await load(scope, false);
      let started = false;
      return app(withKey(scope, SESSION, current), receive, async (event) => {
        if (event.type !== 'http.response.start' || started) return send(event);
        started = true;
        const headers = await current.commit(event.headers ?? [], scope);
        return send(headers === undefined ? event : { ...event, headers });
      });
    },
    sse: async (scope, receive, send, app) =>
      app(withKey(scope, SESSION, await load(scope, true)), receive, send),
    websocket: async (scope, receive, send, app) =>
      app(withKey(scope, SESSION, await load(scope, true)), receive, send),
  });
}
