/**
 * The {@link Session} one request works with, and the decision, when the response starts, of
 * what to write: nothing for an unchanged session (only write when changed), a touch when the
 * sliding expiry is due, a save when the data changed, delete + clear after `destroy()`.
 */
import type { ConnectionScope, HeaderList } from '@pagi/spec';
import { PagiStateError, PagiValidationError } from '@pagi/spec';
import type { Session, SessionData } from '@pagi/spec/middleware';
import { SessionError, storeFailed } from './errors.js';
import { newSessionId, type SessionRecord, type SessionStore } from './store.js';
import type { SessionTransport } from './transports.js';

/** What the middleware resolved once, shared by every request. */
export interface SessionConfig {
  readonly store: SessionStore;
  readonly transport: SessionTransport;
  /** Idle lifetime, ms. */
  readonly maxAgeMs: number;
  /** Touch an unchanged session once this much of its lifetime has passed, ms. */
  readonly touchAfterMs: number;
  /** Longest a session lives from its creation, however active, ms; `undefined`: no limit. */
  readonly absoluteMs: number | undefined;
  readonly now: () => number;
}

const EMPTY = '{}';

export class SessionHandle implements Session {
  readonly isNew: boolean;
  private currentId: string | undefined;
  private readonly data: SessionData;
  /** The data as loaded (JSON), to tell whether it changed. */
  private readonly snapshot: string;
  /** The stored record's ID when it must be deleted (regenerate, destroy). */
  private readonly loadedId: string | undefined;
  private readonly expires: number;
  /** When the loaded session was created (its last save for a record from before `created`). */
  private readonly created: number | undefined;
  private regenerated = false;
  private destroyed = false;
  private touched = false;
  private committed = false;

  constructor(
    private readonly config: SessionConfig,
    record: SessionRecord | undefined,
    /** The handle the request carried (even a forged one: destroy() clears it). */
    private readonly incoming: string | undefined,
    readonly readOnly: boolean,
  ) {
    this.isNew = record === undefined;
    this.currentId = record?.id;
    this.loadedId = record?.id;
    this.data = record === undefined ? Object.create(null) : Object.assign(Object.create(null), record.data);
    this.snapshot = record === undefined ? EMPTY : JSON.stringify(this.data);
    this.expires = record?.expires ?? 0;
    this.created = record === undefined ? undefined : (record.created ?? record.expires - config.maxAgeMs);
  }

  get id(): string {
    // A new session gets its ID on first use: requests that never touch the session cost no random bytes.
    this.currentId ??= newSessionId();
    return this.currentId;
  }

  get<T = unknown>(key: string): T | undefined {
    return this.data[key] as T | undefined;
  }

  has(key: string): boolean {
    return this.data[key] !== undefined;
  }

  keys(): string[] {
    return Object.keys(this.data);
  }

  set(key: string, value: unknown): void {
    this.writable('set');
    if (value === undefined) {
      delete this.data[key];
      return;
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      throw new PagiValidationError(`session.set('${key}'): expected a JSON-serialisable value`, {
        cause: error,
      });
    }
    if (json === undefined) {
      throw new PagiValidationError(
        `session.set('${key}'): expected a JSON-serialisable value, got ${typeof value}`,
      );
    }
    this.data[key] = value;
  }

  delete(key: string): void {
    this.writable('delete');
    delete this.data[key];
  }

  clear(): void {
    this.writable('clear');
    for (const key of Object.keys(this.data)) delete this.data[key];
  }

  regenerate(): void {
    this.writable('regenerate');
    this.regenerated = true;
    this.destroyed = false;
    this.currentId = newSessionId();
  }

  destroy(): void {
    this.writable('destroy');
    this.destroyed = true;
  }

  touch(): void {
    this.writable('touch');
    this.touched = true;
  }

  private writable(method: string): void {
    if (this.readOnly) {
      throw new SessionError(
        'PAGI_ERR_SESSION_READ_ONLY',
        `session.${method}(): expected an http request, but WebSocket and SSE sessions are read-only (no response can carry a new cookie)`,
      );
    }
    if (this.committed) {
      throw new PagiStateError(
        `session.${method}(): expected it before the response started, but it has (the session was already saved)`,
      );
    }
  }

  /**
   * Saves what changed and returns the response headers with the transport's update, or
   * `undefined` when nothing is sent. Called once, just before the response start goes out.
   */
  async commit(headers: HeaderList, scope: ConnectionScope): Promise<HeaderList | undefined> {
    this.committed = true;
    const { store, transport, maxAgeMs, touchAfterMs, absoluteMs, now } = this.config;
    if (this.destroyed) {
      if (this.loadedId !== undefined)
        await guarded('delete a session', () => store.delete(this.loadedId as string));
      return this.incoming === undefined || transport.clear === undefined
        ? undefined
        : transport.clear(headers, scope);
    }
    const json = JSON.stringify(this.data);
    const t = now();
    const changed = this.regenerated || json !== this.snapshot;
    // A new session that stayed empty is unchanged ('{}' both times): not stored, no cookie.
    if (changed) {
      if (this.regenerated && this.loadedId !== undefined) {
        await guarded('delete a session', () => store.delete(this.loadedId as string));
      }
      // A new or regenerated (e.g. at login) session starts its absolute lifetime now.
      const created = this.regenerated || this.created === undefined ? t : this.created;
      const expires = this.#expiry(t, created);
      const record: SessionRecord = { id: this.id, data: this.data, expires, created };
      // A loaded session is only updated while it still exists: a concurrent destroy() (logout)
      // is not undone by a request that loaded the session before it.
      const update = !this.regenerated && this.loadedId !== undefined ? store.update : undefined;
      const handle = await guarded('save a session', () =>
        update === undefined ? store.set(record) : update.call(store, record),
      );
      if (handle === undefined) return transport.clear?.(headers, scope);
      return transport.write?.(headers, handle, scope, Math.ceil((expires - t) / 1000));
    }
    if (this.isNew) return undefined;
    // Unchanged: slide the expiry only once `touchAfter` has passed since the last save or touch.
    const savedAt = this.expires - maxAgeMs;
    if (!this.touched && t - savedAt < touchAfterMs) return undefined;
    const created = this.created as number;
    // At its absolute limit the expiry cannot slide any further: nothing to touch.
    if (!this.touched && absoluteMs !== undefined && this.expires >= created + absoluteMs) return undefined;
    const expires = this.#expiry(t, created);
    let handle = this.incoming as string;
    if (store.touch !== undefined) {
      await guarded('extend a session', () =>
        (store.touch as NonNullable<SessionStore['touch']>)(this.id, expires),
      );
    } else {
      handle = await guarded('save a session', () =>
        store.set({ id: this.id, data: this.data, expires, created }),
      );
    }
    // The handle is sent again so the browser's Max-Age slides with the store's expiry.
    return transport.write?.(headers, handle, scope, Math.ceil((expires - t) / 1000));
  }

  /** The sliding expiry from `t`, never past the absolute limit counted from `created`. */
  #expiry(t: number, created: number): number {
    const { maxAgeMs, absoluteMs } = this.config;
    return absoluteMs === undefined ? t + maxAgeMs : Math.min(t + maxAgeMs, created + absoluteMs);
  }
}

async function guarded<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw storeFailed(what, error);
  }
}
