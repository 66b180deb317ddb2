/**
 * The store interface. A store keeps session records by ID; the middleware hands the *handle*
 * a store returns from `set` to the transport (the ID itself for server-side stores, the sealed
 * record for the cookie store) and gives the handle the transport read back to `get`.
 */
import { randomBytes } from 'node:crypto';
import type { SessionData } from '@pagi/spec/middleware';

/** One stored session. */
export interface SessionRecord {
  /** The session ID (server-generated, see {@link newSessionId}). */
  readonly id: string;
  readonly data: SessionData;
  /** When it expires, in epoch milliseconds. */
  readonly expires: number;
  /**
   * When the session was created (first saved, or regenerated), in epoch milliseconds: what the
   * `absoluteMaxAge` option counts from. Stores keep it; `undefined` for a record written before
   * stores kept it (its last save then stands in).
   */
  readonly created?: number | undefined;
}

export interface SessionStore {
  /**
   * The live (unexpired) record for `handle`, or `undefined` for an unknown, expired or
   * malformed handle. Rejects only when the store itself fails.
   */
  get(handle: string): Promise<SessionRecord | undefined>;
  /** Saves `record` until `record.expires`; resolves to the handle the transport carries. */
  set(record: SessionRecord): Promise<string>;
  /**
   * Like `set`, but only while the record still exists; resolves to `undefined` when it is gone
   * (destroyed by a concurrent request, e.g. a logout): a request that loaded the session before
   * then cannot bring it back. Optional: without it the middleware calls `set`.
   */
  update?(record: SessionRecord): Promise<string | undefined>;
  /**
   * Moves the expiry of an unchanged record to `expires` (sliding expiry without rewriting the
   * data). Optional: without it the middleware calls `set` (the cookie store must re-seal anyway).
   */
  touch?(id: string, expires: number): Promise<void>;
  /** Deletes the record (nothing happens for an unknown ID). */
  delete(id: string): Promise<void>;
}

/** 32 random bytes, base64url: 43 characters, 256 bits: unguessable and safe in any key or header. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

const ID_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * `true` for a string shaped like {@link newSessionId}'s output. Server stores look nothing up
 * for any other handle: no Redis key built from attacker-chosen bytes, no huge lookups.
 */
export function isSessionId(value: string): boolean {
  return value.length === 43 && ID_FORMAT.test(value);
}
