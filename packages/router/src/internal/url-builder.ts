/**
 * URL building for named routes: the inverse of matching. Every value is checked against the
 * constraint it will be matched with, so `match(url(name, params))` gives `params` back.
 */
import { RouterError } from '../errors.js';
import { encodeQueryComponent, encodeSegment } from './encode.js';
import type { ParsedPattern } from './pattern.js';

/** A query for `url()`: an object, `URLSearchParams`, or a raw string (with or without `?`). */
export type QueryInput =
  | Record<string, string | number | boolean | readonly (string | number | boolean)[] | null | undefined>
  | URLSearchParams
  | string;

function paramError(source: string, message: string): RouterError {
  return new RouterError('PAGI_ERR_ROUTE_PARAM', `cannot build a URL for '${source}': ${message}`);
}

function stringify(source: string, name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw paramError(
    source,
    `expected parameter '${name}' to be a string or a finite number, got ${typeof value}`,
  );
}

function encodeOrThrow(source: string, name: string, value: string): string {
  const out = encodeSegment(value);
  if (out === undefined) throw paramError(source, `parameter '${name}' contains a lone UTF-16 surrogate`);
  return out;
}

/**
 * The path of a parsed pattern with `params` filled in.
 *
 * @example
 * buildPath(parsePattern('/files/*rest'), { rest: 'a b/c' }) // '/files/a%20b/c'
 */
export function buildPath(parsed: ParsedPattern, params: Record<string, unknown>): string {
  const { source } = parsed;
  for (const key of Object.keys(params)) {
    if (!parsed.paramNames.includes(key)) {
      throw paramError(
        source,
        `expected parameters ${JSON.stringify(parsed.paramNames)}, got unknown '${key}'`,
      );
    }
  }
  let out = '';
  for (const seg of parsed.segments) {
    if (seg.kind === 'static') {
      out += `/${encodeOrThrow(source, 'static text', seg.value)}`;
      continue;
    }
    const given = params[seg.name];
    if (given === undefined || given === null) {
      if (seg.kind === 'param' && seg.optional) continue;
      throw paramError(source, `expected a value for parameter '${seg.name}', got none`);
    }
    const value = stringify(source, seg.name, given);
    if (seg.kind === 'param' && value === '') {
      throw paramError(source, `expected a non-empty value for parameter '${seg.name}', got ''`);
    }
    if (seg.test !== null && !seg.test(value)) {
      throw paramError(
        source,
        `expected parameter '${seg.name}' to satisfy ${seg.key}, got ${JSON.stringify(value)}`,
      );
    }
    if (seg.kind === 'param') {
      out += `/${encodeOrThrow(source, seg.name, value)}`;
    } else {
      // A wildcard keeps its slashes; each piece between them is encoded on its own.
      out += `/${value
        .split('/')
        .map((piece) => (piece === '' ? '' : encodeOrThrow(source, seg.name, piece)))
        .join('/')}`;
    }
  }
  return out === '' ? '/' : out;
}

/**
 * `''` or `?…`. Object keys keep their insertion order; arrays repeat the key.
 *
 * @example
 * buildQuery({ q: 'a b', tag: ['x', 'y'] }) // '?q=a%20b&tag=x&tag=y'
 */
export function buildQuery(query: QueryInput | undefined): string {
  if (query === undefined) return '';
  if (typeof query === 'string') {
    const q = query.startsWith('?') ? query.slice(1) : query;
    return q === '' ? '' : `?${q}`;
  }
  if (query instanceof URLSearchParams) {
    const q = query.toString();
    return q === '' ? '' : `?${q}`;
  }
  const parts: string[] = [];
  const add = (key: string, value: unknown) => {
    const k = encodeQueryComponent(key);
    const v = encodeQueryComponent(stringify('?', key, value));
    if (k === undefined || v === undefined) {
      throw new RouterError(
        'PAGI_ERR_ROUTE_PARAM',
        `query key '${key}' or its value contains a lone UTF-16 surrogate`,
      );
    }
    parts.push(`${k}=${v}`);
  };
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) add(key, item);
    else add(key, value);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
