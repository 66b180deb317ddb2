import { OutgoingMessage, type ServerResponse } from 'node:http';

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
const K_OUT_HEADERS: symbol | undefined = Object.getOwnPropertySymbols(new OutgoingMessage()).find(
  (s) => s.description === 'kOutHeaders',
);

/**
 * node's header map: lowercase name → [name, value or values]. The prototype has no properties
 * and no `__proto__` setter, so any token (`constructor`, `__proto__`) is a plain own key, while
 * instances stay fast-mode objects (a `{ __proto__: null }` literal would start in dictionary mode).
 */
function HeaderMap(): void {}
HeaderMap.prototype = Object.create(null);
type Entry = [string, string | string[]];
type FieldMap = Record<string, Entry | undefined>;

/** Writes the head: `flat` is `[name, value, …]` as `flattenInto` checked it. */
export function writeCheckedHead(res: ServerResponse, status: number, flat: string[]): void {
  const slot = res as unknown as Record<symbol, unknown>;
  if (K_OUT_HEADERS === undefined || slot[K_OUT_HEADERS] !== null) {
    res.writeHead(status, flat);
    return;
  }
  const map: FieldMap = new (HeaderMap as unknown as new () => FieldMap)();
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    const entry = map[name];
    if (entry === undefined) {
      map[name] = [name, value];
    } else if (typeof entry[1] === 'string') {
      // Repeated fields keep their order among themselves (RFC 9110 §5.3); node writes one line each.
      entry[1] = [entry[1], value];
    } else {
      entry[1].push(value);
    }
  }
  slot[K_OUT_HEADERS] = map;
  res.writeHead(status);
}
