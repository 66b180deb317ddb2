/**
 * Structural snapshots of a scope, to tell whether a middleware changed the caller's scope.
 * Plain objects and arrays are copied deeply; anything else (functions, class instances such as
 * `pagi.connection`, buffers) is kept by reference, so only a swap counts as a change. `state`
 * is compared by reference too: it is the per-request bag apps and middleware share (§3.5).
 */
const BY_REFERENCE_KEYS = new Set(['state', 'pagi.connection', 'pagi.transport']);

function isPlain(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function copy(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && BY_REFERENCE_KEYS.has(key)) return value;
  if (Array.isArray(value)) return value.map((v) => copy(v, undefined));
  if (isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = copy(value[k], k);
    return out;
  }
  return value;
}

export function snapshotScope(scope: object): unknown {
  return copy(scope, undefined);
}

function show(value: unknown): string {
  if (typeof value === 'function') return '[function]';
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The first difference between two snapshots, as `path: expected X, got Y`; undefined if equal. */
export function diffSnapshots(before: unknown, after: unknown, path = 'scope'): string | undefined {
  if (Object.is(before, after)) return undefined;
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length !== after.length) {
      return `${path}: expected ${before.length} entries ${show(before)}, got ${after.length} ${show(after)}`;
    }
    for (let i = 0; i < before.length; i++) {
      const d = diffSnapshots(before[i], after[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (isPlain(before) && isPlain(after)) {
    for (const k of Object.keys(before)) {
      if (!(k in after)) return `${path}.${k}: expected ${show(before[k])}, got it deleted`;
      const d = diffSnapshots(before[k], after[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    for (const k of Object.keys(after)) {
      if (!(k in before)) return `${path}.${k}: expected no such key, got ${show(after[k])}`;
    }
    return undefined;
  }
  return `${path}: expected ${show(before)}, got ${show(after)}`;
}
