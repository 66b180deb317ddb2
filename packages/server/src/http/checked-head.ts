import { ServerResponse } from 'node:http';
import { FIELD_PLACES, seenBefore, storeAtPlace } from '../internal/field-places.js';
import { writeOwnHead } from './own-head.js';

/**
 * Writing a response head whose fields `flattenInto` has already checked, so each field is checked
 * once, not twice.
 *
 * `ServerResponse.writeHead(status, fields)` validates every name and value again (two regular
 * expressions per field: about 1k instructions each time, 6.7k of the 13.5k that a typical
 * middleware stack's seven extra headers cost per request). node skips that second check for the
 * fields `setHeader` stored in its own header map, because `setHeader` validated them on the way
 * in. `flattenInto`'s rules are at least as strict as node's: names are lowercase RFC 9110
 * tokens, and values hold no control character but HTAB, no DEL and no code unit above 0xFF. So the
 * head is handed to node in that map. Everything else node does with a head still happens:
 * framing (`content-length`, `transfer-encoding`, `connection`), `Date`, keep-alive.
 *
 * The map is node's internal `kOutHeaders` slot, found by its symbol's description. When node lacks
 * it, when the response already has headers set another way, or when `res` is not node's
 * `ServerResponse` (HTTP/2's compatibility response), the fields go through `writeHead`'s own
 * checks as before.
 */
let kOutHeaders: symbol | null | undefined;

/**
 * node's `kOutHeaders` symbol (`null` when node has none), looked up on the first `ServerResponse`
 * written, not on a throw-away `OutgoingMessage` made at load: every EventEmitter type constructed
 * before the first request counts against node's `EventEmitter.init`, whose stores run for every
 * response and turn megamorphic (slow generic stores) past four types (bench README, session 7).
 */
function outHeadersSlot(res: ServerResponse): symbol | null | undefined {
  if (kOutHeaders !== undefined) return kOutHeaders;
  // HTTP/2's compatibility response has no such slot: look only on node's own response class.
  if (!(res instanceof ServerResponse)) return undefined;
  kOutHeaders = Object.getOwnPropertySymbols(res).find((s) => s.description === 'kOutHeaders') ?? null;
  return kOutHeaders;
}

/**
 * node's header map: lowercase name → [name, value or values]. The prototype has no properties
 * and no `__proto__` setter, so any token (`constructor`, `__proto__`) is a plain own key, while
 * instances stay fast-mode objects (a `{ __proto__: null }` literal would start in dictionary mode).
 */
function HeaderMap(): void {}
HeaderMap.prototype = Object.create(null);
type Entry = [string, string | string[]];
type FieldMap = Record<string, Entry | undefined>;

/** Adds a repeated field to `map`: repeated fields keep their order among themselves (RFC 9110 §5.3). */
function putRepeated(map: FieldMap, name: string, value: string): void {
  const entry = map[name];
  if (entry === undefined) {
    map[name] = [name, value];
  } else if (typeof entry[1] === 'string') {
    entry[1] = [entry[1], value];
  } else {
    entry[1].push(value);
  }
}

/**
 * Writes the head: `flat` is `[name, value, …]` as `flattenInto` checked it, and `contentLength`
 * the length the server adds when the app set none.
 *
 * Each of the first `FIELD_PLACES` fields is stored from its place's own site (`storeAtPlace`,
 * internal/field-places.ts); the rest, and a name repeated in this head (`seenBefore`), take the
 * general path.
 */
export function writeCheckedHead(
  res: ServerResponse,
  status: number,
  flat: string[],
  contentLength?: string,
): void {
  const slot = res as unknown as Record<symbol, unknown>;
  const outHeaders = outHeadersSlot(res);
  if (outHeaders == null || slot[outHeaders] !== null) {
    // Field lists are shared between responses (flattenInto): the length goes on a copy.
    res.writeHead(status, contentLength === undefined ? flat : [...flat, 'content-length', contentLength]);
    return;
  }
  // A plain head on node's own response: the server writes the whole head itself (own-head.ts).
  if (writeOwnHead(res, status, flat, contentLength)) return;
  const map: FieldMap = new (HeaderMap as unknown as new () => FieldMap)();
  const n = flat.length;
  for (let i = 0; i < n; i += 2) {
    const name = flat[i]!;
    if (i < FIELD_PLACES * 2 && !seenBefore(flat, i, name)) {
      storeAtPlace<Entry | undefined>(map, i >> 1, name, [name, flat[i + 1]!]);
    } else putRepeated(map, name, flat[i + 1]!);
  }
  // The server's own length (the app set none, so the name is not in `flat`), from a site of its own.
  if (contentLength !== undefined) map['content-length'] = ['content-length', contentLength];
  slot[outHeaders] = map;
  res.writeHead(status);
}
