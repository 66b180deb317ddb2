/**
 * The session scope key, declared here (not in `@pagi/middleware-session`) so `@pagi/helpers`,
 * `@pagi/router` handlers and other middleware (CSRF binds its tokens to `session.id`) read the
 * session typed without depending on the middleware package.
 */
import { type ScopeKey, scopeKey } from '../scope-key.js';

/** The session values: JSON-serialisable data. */
export type SessionData = Record<string, unknown>;

/**
 * The session an outer session middleware hands to inner apps. In `http` scopes it is
 * read-write; in `websocket` and `sse` scopes it is read-only (`readOnly` is `true` and every
 * mutating method throws a `PAGI_ERR_SESSION_READ_ONLY` error).
 */
export interface Session {
  /**
   * The session ID: random, server-generated (never one the client chose). A new session gets
   * its ID on first read; after `regenerate()` this is already the new ID.
   */
  readonly id: string;
  /** `true` when no stored session was found for this request (absent, unknown, expired, forged). */
  readonly isNew: boolean;
  /** `true` in `websocket` and `sse` scopes, where the session cannot be written. */
  readonly readOnly: boolean;
  /** The value stored under `key`, or `undefined`. */
  get<T = unknown>(key: string): T | undefined;
  /** Stores a JSON-serialisable `value` under `key`. */
  set(key: string, value: unknown): void;
  /** Removes `key`. */
  delete(key: string): void;
  /** `true` when `key` has a value. */
  has(key: string): boolean;
  /** Every key. */
  keys(): string[];
  /** Removes every key (the session itself stays; see `destroy()`). */
  clear(): void;
  /** A new ID for the same data, the old record deleted: call it on login and privilege changes. */
  regenerate(): void;
  /** Deletes the session from the store and tells the client to forget it. */
  destroy(): void;
  /** Forces the session to be saved (and its expiry slid) even if its data did not change. */
  touch(): void;
}

/** Inner apps read the session with `SESSION.get(scope)` (typed, `undefined` without the middleware). */
export const SESSION: ScopeKey<Session> = scopeKey<Session>('pagi.session');
