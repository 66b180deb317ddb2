/**
 * Typed scope keys. A middleware that hands its inner app a value (`session`, `auth.user`,
 * `request_id`) declares a key object once, `const SESSION = scopeKey<Session>('session')`, and
 * inner apps read it typed: `SESSION.get(scope)`.
 *
 * Why a list in one slot rather than a new top-level key: V8 gives `{ ...scope, [key]: v }` (and
 * every variant that adds a property to the spread copy) a fresh hidden class per request, about
 * 1–3 µs for a server scope, against ~0.03 µs for a plain `{ ...scope }` (apps/bench/
 * scope-extend.mjs). Overwriting a key the scope already has keeps the spread's fast path, so the
 * values live on an immutable linked list in the `pagi.keys` slot that servers create (as
 * `null`). The list obeys protocol.md §1.7: a layer's copy points at a longer list, the next
 * layer's plain `{ ...scope }` copies that pointer, and outer layers keep their shorter list, so
 * values flow downward only. A scope without the slot still works, only slower.
 */
import { PagiStateError, PagiValidationError } from '../errors.js';

/** The scope slot holding the key list; `null` (or absent) when no key is set. */
export const SCOPE_KEYS_SLOT = 'pagi.keys';

/** One entry of the immutable list in `scope['pagi.keys']`. */
export interface ScopeKeyEntry {
  readonly key: ScopeKey<unknown>;
  readonly value: unknown;
  readonly next: ScopeKeyEntry | null;
}

/** A typed handle on a value middleware hands to inner apps; make one with {@link scopeKey}. */
export class ScopeKey<T> {
  /** The name used in messages, and the top-level key read as a fallback (see {@link ScopeKey.get}). */
  readonly name: string;

  constructor(name: string) {
    if (typeof name !== 'string' || name === '') {
      throw new PagiValidationError(`scopeKey() expected a non-empty name, got ${JSON.stringify(name)}`);
    }
    this.name = name;
  }

  /**
   * The value the nearest outer layer set with {@link withKey}; else a top-level `scope[name]`
   * (set by a hand-written `{ ...scope, [name]: v }` layer); else `undefined`.
   */
  get(scope: object): T | undefined {
    let entry = (scope as Record<string, unknown>)[SCOPE_KEYS_SLOT] as ScopeKeyEntry | null | undefined;
    while (entry != null) {
      if (entry.key === this) return entry.value as T;
      entry = entry.next;
    }
    return (scope as Record<string, unknown>)[this.name] as T | undefined;
  }

  /** true when an outer layer set this key. */
  has(scope: object): boolean {
    return this.get(scope) !== undefined;
  }

  /**
   * The value, or a `PagiStateError` naming the key: for inner apps that cannot run without the
   * middleware that sets it.
   */
  require(scope: object): T {
    const value = this.get(scope);
    if (value === undefined) {
      throw new PagiStateError(
        `expected scope key '${this.name}' to be set by an outer middleware, got none (is that middleware applied?)`,
      );
    }
    return value;
  }
}

// One registry per process (like `Symbol.for`), so two packages, or two installed copies of
// this package, that name the same key get the same key object.
const registry: Map<string, ScopeKey<unknown>> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('pagi.scopeKeys')
] ??= new Map()) as Map<string, ScopeKey<unknown>>;

/**
 * The typed key called `name`: a value one layer hands to the layers inside it. Keys are
 * registered by name, like `Symbol.for`: every call with the same name returns the same key, so
 * name keys in your own namespace (`myapp.user`).
 *
 * @example
 * export const REQUEST_ID = scopeKey<string>('request_id');
 * // in the middleware:  return app(withKey(scope, REQUEST_ID, id), receive, send);
 * // in an inner app:    const id = REQUEST_ID.get(scope); // string | undefined
 */
export function scopeKey<T>(name: string): ScopeKey<T> {
  let key = registry.get(name);
  if (key === undefined) {
    key = new ScopeKey<unknown>(name);
    registry.set(name, key);
  }
  return key as ScopeKey<T>;
}

/**
 * A shallow copy of `scope` (protocol.md §1.7: the given scope is never changed) where
 * `key.get()` returns `value`. As cheap as a plain `{ ...scope }` when the scope has the
 * `pagi.keys` slot.
 *
 * @example
 * return app(withKey(scope, SESSION, session), receive, send);
 */
export function withKey<S extends object, T>(scope: S, key: ScopeKey<T>, value: T): S {
  const copy = { ...scope } as Record<string, unknown>;
  copy[SCOPE_KEYS_SLOT] = {
    key,
    value,
    next: (copy[SCOPE_KEYS_SLOT] as ScopeKeyEntry | null | undefined) ?? null,
  } satisfies ScopeKeyEntry;
  return copy as S;
}
