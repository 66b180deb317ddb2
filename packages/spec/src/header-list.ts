/**
 * Reading and editing a {@link HeaderList} by name, case-insensitively. The editing functions
 * return a new list and never touch their input: a scope's or an event's headers may be shared
 * with other middleware, so changing them in place would leak edits across layers. The new list
 * has its own `[name, value]` pairs too, so a caller may write into it freely.
 */
import type { Header, HeaderList } from './types.js';

/**
 * Compares a stored name with a wanted one, ignoring ASCII case only (RFC 9110 §5.1: field
 * names are case-insensitive), without allocating a lowercased copy.
 */
function sameName(stored: string, wanted: string): boolean {
  // The usual match, the same lowercase name (often the very same constant string): one
  // comparison instead of a loop over the characters.
  if (stored === wanted) return true;
  if (stored.length !== wanted.length) return false;
  for (let i = 0; i < stored.length; i++) {
    let a = stored.charCodeAt(i);
    let b = wanted.charCodeAt(i);
    if (a === b) continue;
    if (a >= 0x41 && a <= 0x5a) a += 0x20;
    if (b >= 0x41 && b <= 0x5a) b += 0x20;
    if (a !== b) return false;
  }
  return true;
}

/**
 * The value of the first header called `name`, or `undefined`.
 *
 * @example
 * getHeader(scope.headers, 'Content-Type') // 'text/plain'
 */
export function getHeader(list: readonly Header[], name: string): string | undefined {
  // Indexed, not `for (const [k, v] of ...)`: no iterator per pair on a per-request path.
  for (let i = 0; i < list.length; i++) {
    const header = list[i]!;
    if (sameName(header[0], name)) return header[1];
  }
  return undefined;
}

/**
 * Every value of the headers called `name`, in list order (`set-cookie` keeps several).
 *
 * @example
 * getHeaderValues([['set-cookie', 'a=1'], ['set-cookie', 'b=2']], 'set-cookie') // ['a=1', 'b=2']
 */
export function getHeaderValues(list: readonly Header[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const header = list[i]!;
    if (sameName(header[0], name)) values.push(header[1]);
  }
  return values;
}

/**
 * true when at least one header is called `name`.
 *
 * @example
 * hasHeader([['content-length', '5']], 'Content-Length') // true
 */
export function hasHeader(list: readonly Header[], name: string): boolean {
  for (let i = 0; i < list.length; i++) if (sameName(list[i]![0], name)) return true;
  return false;
}

/**
 * A new list where `name` has exactly one value: it takes the position of the first existing
 * entry of that name (so header order stays stable), or goes at the end. The name is stored as
 * given; pass it lowercase.
 *
 * @example
 * setHeader([['x-a', '1'], ['x-b', '2'], ['x-a', '3']], 'x-a', '9') // [['x-a', '9'], ['x-b', '2']]
 */
export function setHeader(list: readonly Header[], name: string, value: string): HeaderList {
  const out: HeaderList = [];
  let placed = false;
  for (const header of list) {
    if (!sameName(header[0], name)) {
      out.push([header[0], header[1]]);
    } else if (!placed) {
      out.push([name, value]);
      placed = true;
    }
  }
  if (!placed) out.push([name, value]);
  return out;
}

/**
 * A new list with `[name, value]` added at the end, keeping existing entries of that name.
 *
 * @example
 * appendHeader([['set-cookie', 'a=1']], 'set-cookie', 'b=2') // two set-cookie entries
 */
export function appendHeader(list: readonly Header[], name: string, value: string): HeaderList {
  // Made at its final size: `map` then `push` would allocate the list twice.
  const n = list.length;
  const out: HeaderList = new Array(n + 1);
  for (let i = 0; i < n; i++) {
    const h = list[i]!;
    out[i] = [h[0], h[1]];
  }
  out[n] = [name, value];
  return out;
}

/**
 * A new list: `list` followed by `pairs`, made at its final size (one allocation: a copy
 * followed by pushes would allocate twice). Unlike {@link appendHeader}, the pairs of both are
 * shared, not copied: for callers that add constant pairs or pairs they just made, and hand the
 * list on without writing into its pairs.
 *
 * @example
 * concatHeaders([['content-type', 'text/plain']], [['x-frame-options', 'DENY']]) // both pairs
 */
export function concatHeaders(list: readonly Header[], pairs: readonly Header[]): HeaderList {
  const n = list.length;
  // Sized up front and filled: V8 marks it holey, but it holds no holes once returned.
  const out: HeaderList = new Array(n + pairs.length);
  for (let i = 0; i < n; i++) out[i] = list[i]!;
  for (let i = 0; i < pairs.length; i++) out[n + i] = pairs[i]!;
  return out;
}

/** {@link concatHeaders} with one pair: `list` and `pair` at the end, in one allocation. */
export function concatHeader(list: readonly Header[], pair: Header): HeaderList {
  const n = list.length;
  const out: HeaderList = new Array(n + 1);
  for (let i = 0; i < n; i++) out[i] = list[i]!;
  out[n] = pair;
  return out;
}

/**
 * A new list without any header called `name`.
 *
 * @example
 * deleteHeader([['x-a', '1'], ['x-b', '2']], 'X-A') // [['x-b', '2']]
 */
export function deleteHeader(list: readonly Header[], name: string): HeaderList {
  const out: HeaderList = [];
  for (const header of list) if (!sameName(header[0], name)) out.push([header[0], header[1]]);
  return out;
}

/**
 * A new list whose `Vary` names every field in `fields` once: existing `Vary` entries are merged
 * into one comma-separated value (RFC 9110 §12.5.5), names already listed are not repeated
 * (compared case-insensitively), and `Vary: *` stays `*`.
 *
 * @example
 * appendVary([['vary', 'Accept-Encoding']], 'Origin') // [['vary', 'Accept-Encoding, Origin']]
 */
export function appendVary(list: readonly Header[], ...fields: string[]): HeaderList {
  // The common case, one field and no `Vary` yet: what the general path below returns, without
  // its arrays and joins.
  if (fields.length === 1 && !hasHeader(list, 'vary')) {
    return appendHeader(list, 'vary', fields[0]!);
  }
  const names: string[] = [];
  for (const value of getHeaderValues(list, 'vary')) {
    for (const part of value.split(',')) {
      const name = part.trim();
      if (name !== '' && !names.some((n) => sameName(n, name))) names.push(name);
    }
  }
  if (names.includes('*')) return setHeader(list, 'vary', '*');
  for (const field of fields) if (!names.some((n) => sameName(n, field))) names.push(field);
  return setHeader(list, 'vary', names.join(', '));
}
