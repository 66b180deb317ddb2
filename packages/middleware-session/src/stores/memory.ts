/**
 * The in-process store: records live in a Map as JSON strings (a copy, never the app's object),
 * expire by time (checked on read, and swept when the store is full), and the map holds at most
 * `maxSessions`: when full, expired records are dropped, then the least recently used.
 * Single-process only: behind several workers or servers use the Redis store.
 */
import { PagiValidationError } from '@pagi/spec';
import { isSessionId, type SessionRecord, type SessionStore } from '../store.js';

export interface MemoryStoreOptions {
  /** Most sessions kept; when full the least recently used one is evicted. Default `10000`. */
  maxSessions?: number;
  /** The clock (epoch ms), for tests. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  json: string;
  expires: number;
  created: number | undefined;
}

/** A bounded in-memory {@link SessionStore}. Each call makes its own store (nothing is shared). */
export function memoryStore(options: MemoryStoreOptions = {}): SessionStore & { readonly size: number } {
  for (const key of Object.keys(options)) {
    if (key !== 'maxSessions' && key !== 'now') {
      throw new PagiValidationError(`memoryStore(): unknown option '${key}'`);
    }
  }
  const max = options.maxSessions ?? 10_000;
  if (!Number.isInteger(max) || max < 1) {
    throw new PagiValidationError(`memoryStore(): expected maxSessions to be an integer ≥ 1, got ${max}`);
  }
  const now = options.now ?? Date.now;
  // Map iteration order is insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();

  let lastSweep = Number.NEGATIVE_INFINITY;
  const makeRoom = (): void => {
    if (entries.size < max) return;
    const t = now();
    // The sweep walks every record: at most once a second, or a flood of new sessions into a
    // full store would pay O(maxSessions) per save. In between, the least recently used goes.
    if (t - lastSweep >= 1000) {
      lastSweep = t;
      for (const [id, entry] of entries) if (entry.expires <= t) entries.delete(id);
    }
    for (const id of entries.keys()) {
      if (entries.size < max) break;
      entries.delete(id);
    }
  };

  return {
    get size() {
      return entries.size;
    },
    async get(handle) {
      if (!isSessionId(handle)) return undefined;
      const entry = entries.get(handle);
      if (entry === undefined) return undefined;
      entries.delete(handle);
      if (entry.expires <= now()) return undefined;
      entries.set(handle, entry);
      return { id: handle, data: JSON.parse(entry.json), expires: entry.expires, created: entry.created };
    },
    async set(record: SessionRecord) {
      entries.delete(record.id);
      makeRoom();
      entries.set(record.id, {
        json: JSON.stringify(record.data),
        expires: record.expires,
        created: record.created,
      });
      return record.id;
    },
    async update(record: SessionRecord) {
      const entry = entries.get(record.id);
      if (entry === undefined || entry.expires <= now()) return undefined;
      entries.delete(record.id); // re-inserted: most recently used
      entries.set(record.id, {
        json: JSON.stringify(record.data),
        expires: record.expires,
        created: record.created,
      });
      return record.id;
    },
    async touch(id, expires) {
      const entry = entries.get(id);
      if (entry !== undefined) entry.expires = expires;
    },
    async delete(id) {
      entries.delete(id);
    },
  };
}
