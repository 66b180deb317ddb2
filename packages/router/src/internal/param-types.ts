/**
 * The named parameter types (`:id<int>`, `:id<uuid>`, `:slug<slug>`, `:file<path>`). Each test
 * runs on the **decoded** value, so `%2D` counts as `-`. Hand-written loops instead of regexes:
 * they sit on the request path and these are cheaper than a RegExp call for short values.
 */

/** Names accepted inside `<…>`. */
export type ParamTypeName = 'int' | 'uuid' | 'slug' | 'path';

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** An optional `-` then ASCII digits, and the number must be a safe integer (no silent rounding). */
export function isIntParam(value: string): boolean {
  const start = value.charCodeAt(0) === 0x2d ? 1 : 0;
  if (value.length === start) return false;
  for (let i = start; i < value.length; i++) if (!isDigit(value.charCodeAt(i))) return false;
  return Number.isSafeInteger(Number(value));
}

/** The RFC 9562 text form `8-4-4-4-12` hex digits, either case; no braces, no `urn:uuid:`. */
export function isUuidParam(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!isHex(c)) return false;
  }
  return true;
}

/** ASCII letters, digits, `-` and `_` (the usual slug alphabet), at least one character. */
export function isSlugParam(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;
    if (!ok) return false;
  }
  return true;
}

/** `<path>`: the rest of the path, slashes included, but never empty (use `*name` to allow empty). */
export function isPathParam(value: string): boolean {
  return value.length > 0;
}

export const paramTypeTests: Readonly<Record<ParamTypeName, (value: string) => boolean>> = {
  int: isIntParam,
  uuid: isUuidParam,
  slug: isSlugParam,
  path: isPathParam,
};

export function isParamTypeName(name: string): name is ParamTypeName {
  return name === 'int' || name === 'uuid' || name === 'slug' || name === 'path';
}
