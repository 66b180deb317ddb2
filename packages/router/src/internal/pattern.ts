/**
 * Parses route patterns such as `/users/:id<int>`, `/:lang?/docs`, `/files/*rest` or
 * `/tags/:tag([a-z]+)` into segments. Patterns are written in **decoded** form (`/café`, not
 * `/caf%C3%A9`); requests are decoded segment by segment before they are compared.
 */
import { RouterError } from '../errors.js';
import { isParamTypeName, paramTypeTests } from './param-types.js';

export interface StaticSegment {
  kind: 'static';
  /** Decoded literal text of one segment; `''` for the empty segment of a trailing slash. */
  value: string;
}

export interface ParamSegment {
  kind: 'param';
  name: string;
  /** Identity of the constraint: `''` (none), `<int>`, `(regex source)`. Same key = same tree edge. */
  key: string;
  test: ((value: string) => boolean) | null;
  /** `<int>` values are handed to the app as numbers. */
  int: boolean;
  optional: boolean;
}

export interface RestSegment {
  kind: 'rest';
  name: string;
  /** `*` (may be empty) or `<path>` (at least one character). */
  key: string;
  test: ((value: string) => boolean) | null;
}

export type Segment = StaticSegment | ParamSegment | RestSegment;

export interface ParsedPattern {
  source: string;
  segments: Segment[];
  paramNames: string[];
}

/** More optional parameters than this would expand into too many variants (2^n). */
const MAX_OPTIONAL = 6;

function syntax(source: string, message: string, cause?: unknown): RouterError {
  return new RouterError(
    'PAGI_ERR_ROUTE_SYNTAX',
    `invalid route pattern '${source}': ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_]/.test(c);
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

/** Index just past the `)` that closes the `(` at `open`; escapes and `[...]` classes are skipped. */
function endOfGroup(source: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let j = open; j < source.length; j++) {
    const c = source[j];
    if (c === '\\') {
      j++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  throw syntax(source, `expected ')' to close the constraint opened at index ${open}, got the end`);
}

function readName(source: string, start: number, what: string): number {
  if (!isNameStart(source[start])) {
    throw syntax(
      source,
      `expected a ${what} name ([A-Za-z_][A-Za-z0-9_]*) at index ${start}, got ${JSON.stringify(source[start] ?? 'the end')}`,
    );
  }
  let j = start + 1;
  while (isNameChar(source[j])) j++;
  return j;
}

function compileRegex(source: string, body: string): (value: string) => boolean {
  if (body === '') throw syntax(source, 'expected a regular expression inside (), got an empty one');
  let re: RegExp;
  try {
    // Anchored to the whole decoded value; no flags, so `lastIndex` never carries state between calls.
    re = new RegExp(`^(?:${body})$`);
  } catch (err) {
    throw syntax(source, `the constraint (${body}) is not a valid regular expression`, err);
  }
  return (value) => re.test(value);
}

/**
 * @example
 * parsePattern('/users/:id<int>').segments
 * // [{ kind: 'static', value: 'users' }, { kind: 'param', name: 'id', key: '<int>', … }]
 */
export function parsePattern(source: string): ParsedPattern {
  if (typeof source !== 'string' || source[0] !== '/') {
    throw new RouterError(
      'PAGI_ERR_ROUTE_SYNTAX',
      `invalid route pattern: expected a string starting with '/', got ${JSON.stringify(source)}`,
    );
  }
  const segments: Segment[] = [];
  const names = new Set<string>();
  const addName = (name: string) => {
    if (names.has(name)) throw syntax(source, `parameter '${name}' appears twice`);
    names.add(name);
  };
  let optionalCount = 0;
  let i = 1;
  for (;;) {
    const c = source[i];
    if (segments.length > 0 && segments[segments.length - 1]!.kind === 'rest') {
      throw syntax(source, 'a wildcard (*name or :name<path>) must be the last segment');
    }
    if (c === ':') {
      const end = readName(source, i + 1, 'parameter');
      const name = source.slice(i + 1, end);
      addName(name);
      let j = end;
      let key = '';
      let test: ((value: string) => boolean) | null = null;
      let typeName = '';
      if (source[j] === '<') {
        const close = source.indexOf('>', j);
        if (close === -1) throw syntax(source, `expected '>' after '<' at index ${j}, got the end`);
        typeName = source.slice(j + 1, close);
        if (!isParamTypeName(typeName)) {
          throw syntax(source, `expected a parameter type int, uuid, slug or path, got '<${typeName}>'`);
        }
        key = `<${typeName}>`;
        test = paramTypeTests[typeName];
        j = close + 1;
      } else if (source[j] === '(') {
        const close = endOfGroup(source, j);
        const body = source.slice(j + 1, close - 1);
        key = `(${body})`;
        test = compileRegex(source, body);
        j = close;
      }
      let optional = false;
      if (source[j] === '?') {
        optional = true;
        optionalCount++;
        j++;
      }
      if (typeName === 'path') {
        if (optional)
          throw syntax(source, `':${name}<path>' cannot be optional; use '*${name}' to allow empty`);
        segments.push({ kind: 'rest', name, key, test });
      } else {
        segments.push({ kind: 'param', name, key, test, int: typeName === 'int', optional });
      }
      i = j;
    } else if (c === '*') {
      const end = readName(source, i + 1, 'wildcard');
      const name = source.slice(i + 1, end);
      addName(name);
      segments.push({ kind: 'rest', name, key: '*', test: null });
      i = end;
    } else {
      let j = i;
      while (j < source.length && source[j] !== '/') j++;
      segments.push({ kind: 'static', value: source.slice(i, j) });
      i = j;
    }
    if (i >= source.length) break;
    if (source[i] !== '/') {
      throw syntax(source, `expected '/' or the end after a parameter at index ${i}, got '${source[i]}'`);
    }
    i++;
  }
  if (optionalCount > MAX_OPTIONAL) {
    throw syntax(source, `expected at most ${MAX_OPTIONAL} optional parameters, got ${optionalCount}`);
  }
  return { source, segments, paramNames: [...names] };
}

/**
 * Every concrete form of a pattern with optional parameters, most specific first: `/:lang?/docs`
 * gives `/:lang/docs` and `/docs`. A pattern left with no segment at all means `/`.
 */
export function expandOptional(segments: readonly Segment[]): Segment[][] {
  let variants: Segment[][] = [[]];
  for (const seg of segments) {
    if (seg.kind === 'param' && seg.optional) {
      variants = [...variants.map((v) => [...v, seg]), ...variants];
    } else {
      for (const v of variants) v.push(seg);
    }
  }
  return variants.map((v) => (v.length === 0 ? [{ kind: 'static', value: '' }] : v));
}

/** A string that is equal for two segment lists exactly when they land on the same tree node. */
export function signature(segments: readonly Segment[]): string {
  let out = '';
  for (const seg of segments) {
    out += seg.kind === 'static' ? `/s${seg.value}` : seg.kind === 'param' ? `/p${seg.key}` : `/r${seg.key}`;
  }
  return out;
}
