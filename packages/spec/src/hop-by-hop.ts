/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1): they describe one connection, so an intermediary
 * removes them before forwarding a message — the fixed set below plus every field the
 * `Connection` header lists.
 */
import type { HeaderList } from './types.js';

/**
 * The fields that are always hop-by-hop: `Connection` and `Keep-Alive`, `Proxy-Connection` (never
 * standard, still sent by old clients), `TE`, `Trailer`, `Transfer-Encoding` and `Upgrade`
 * (RFC 9110 §7.6.1, RFC 9112 §7.1, §7.4).
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A `Connection` header lists at most this many options; the rest are ignored (bounded work). */
const MAX_CONNECTION_OPTIONS = 64;

/**
 * `headers` without its hop-by-hop fields: the fixed set and the fields named by `Connection`
 * (case-insensitively). Returns a new list; the input is not changed.
 *
 * @example
 * withoutHopByHop([['connection', 'x-secret'], ['x-secret', '1'], ['accept', '*\/*']]);
 * // [['accept', '*\/*']]
 */
export function withoutHopByHop(headers: HeaderList): HeaderList {
  let listed: Set<string> | undefined;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0] !== 'connection') continue;
    for (const option of h[1].split(',')) {
      const name = option.trim().toLowerCase();
      if (name === '') continue;
      listed ??= new Set();
      if (listed.size < MAX_CONNECTION_OPTIONS) listed.add(name);
    }
  }
  const out: HeaderList = [];
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (HOP_BY_HOP_HEADERS.has(h[0]) || listed?.has(h[0]) === true) continue;
    out.push([h[0], h[1]]);
  }
  return out;
}
