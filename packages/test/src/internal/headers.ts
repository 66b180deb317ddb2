import { type HeaderList, validateHeaderList } from '@pagi/spec';
import type { HeaderInit } from '../options.js';

/** Turns a user header init into a list with lowercase names, in the order given. */
export function toHeaderList(init: HeaderInit | undefined): HeaderList {
  if (init === undefined) return [];
  const out: HeaderList = [];
  const pairs: [string, string | string[]][] = Array.isArray(init) ? init : Object.entries(init);
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (Array.isArray(value)) for (const v of value) out.push([lower, v]);
    else out.push([lower, value]);
  }
  return out;
}

/** Every header of `base` whose name `override` does not set, followed by all of `override`. */
export function overrideHeaders(base: HeaderList, override: HeaderList): HeaderList {
  const names = new Set(override.map(([n]) => n));
  return [...base.filter(([n]) => !names.has(n)), ...override];
}

export function hasHeader(list: HeaderList, name: string): boolean {
  return list.some(([n]) => n === name);
}

/** First value of `name` (case-insensitive), or undefined. */
export function firstHeader(list: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of list) if (n.toLowerCase() === lower) return v;
  return undefined;
}

/** Every value of `name` (case-insensitive), in order. */
export function allHeaders(list: HeaderList, name: string): string[] {
  const lower = name.toLowerCase();
  return list.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/**
 * Finishes a request header list the way the server builds `scope.headers` (protocol.md §3.7):
 * several `cookie` entries are joined with `"; "` into exactly one, kept where the first was.
 * Then checks byte safety, so a test can never hand the app headers no server would produce.
 */
export function normalizeRequestHeaders(list: HeaderList): HeaderList {
  const cookies = list.filter(([n]) => n === 'cookie').map(([, v]) => v);
  let out = list;
  if (cookies.length > 1) {
    out = [];
    let placed = false;
    for (const entry of list) {
      if (entry[0] !== 'cookie') out.push(entry);
      else if (!placed) {
        out.push(['cookie', cookies.join('; ')]);
        placed = true;
      }
    }
  }
  validateHeaderList(out, 'request header');
  return out;
}
