import { PagiValidationError } from '@pagi/spec';

/**
 * RFC 9110 §5.6.2 token characters, lowercase only: protocol.md §2.4 says names MUST be lowercase,
 * and the server applies one policy on every path (the spec validator's strict default, as the
 * WebSocket and SSE sessions do).
 */
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz";
/** 1 for a lowercase token character, by char code (a table lookup beats a regex on short names). */
const TOKEN = new Uint8Array(128);
for (let i = 0; i < TOKEN_CHARS.length; i++) TOKEN[TOKEN_CHARS.charCodeAt(i)] = 1;

function isLowercaseToken(name: string): boolean {
  const n = name.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c > 127 || TOKEN[c] === 0) return false;
  }
  return true;
}
/**
 * Anything outside HTAB, visible ASCII, SP and obs-text (0x80-0xFF) is refused: this catches CR,
 * LF and NUL (response splitting, D-2), other controls, and code units above 0xFF (not a byte).
 */
function isSafeValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 : c === 0x7f || c > 0xff) return false;
  }
  return true;
}
/** true for a non-empty run of ASCII digits (a plain loop: cheaper than a regex on a short value). */
function isDigits(value: string): boolean {
  const n = value.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Names that already passed the token check. Strings are immutable, so a name seen before needs
 * no second scan; apps send the same few names (constant strings, whose hash V8 keeps), so a
 * `Set` lookup is far cheaper than the scan. Bounded: cleared when full.
 */
const MAX_REMEMBERED = 512;
const goodNames = new Set<string>();

/** How many places of a header list remember their last good name and value. */
const VALUE_PLACES = 32;

/**
 * The last name that passed at each place of a header list, as {@link lastGoodValue} for values:
 * a stack sends the same constant names in the same places response after response, so one
 * pointer comparison replaces the `Set` lookup (a hash probe per field: ~0.4k instructions per
 * request on a seven-field middleware stack).
 */
const lastGoodName: Array<string | null> = new Array<string | null>(VALUE_PLACES).fill(null);

function checkedName(name: string, place: number): boolean {
  if (place < VALUE_PLACES && lastGoodName[place] === name) return true;
  if (!goodNames.has(name)) {
    if (!isLowercaseToken(name)) return false;
    if (goodNames.size >= MAX_REMEMBERED) goodNames.clear();
    goodNames.add(name);
  }
  if (place < VALUE_PLACES) lastGoodName[place] = name;
  return true;
}

/**
 * The last value that passed {@link isSafeValue} at each place of a header list. An app (or a
 * middleware stack) sends its fields in the same order response after response, mostly the very
 * same constant strings, so comparing with the value last seen at that place (`===`: one pointer
 * comparison for the same string, a length or first-character mismatch otherwise) replaces the
 * scan. A value that is new on every response (a request ID, a date) costs one failed comparison
 * and the scan, and is not hashed: a remembered-value `Set` hashed every fresh string only to
 * find it missing, and filled up with them. Bounded: the first 32 places, values up to 1 KiB.
 */
const MAX_REMEMBERED_VALUE_LENGTH = 1024;
const lastGoodValue: Array<string | null> = new Array<string | null>(VALUE_PLACES).fill(null);

function checkedValue(value: string, place: number): boolean {
  if (place < VALUE_PLACES && lastGoodValue[place] === value) return true;
  if (!isSafeValue(value)) return false;
  if (place < VALUE_PLACES && value.length <= MAX_REMEMBERED_VALUE_LENGTH) lastGoodValue[place] = value;
  return true;
}

/** The response head in the shape `writeHead` takes fastest: a flat `[name, value, …]` array. */
export interface FlatHeaders {
  flat: string[];
  /** The app's `content-length` value, if it set one. */
  contentLength: string | undefined;
}

/**
 * Validates a {@link HeaderList} and copies it into a flat array, reading everything at once so the
 * app may reuse its event object afterwards (protocol.md §1.7). Framing is the server's job
 * (§4.1.3): with `dropFraming` (a response head) `transfer-encoding` is dropped and a valid
 * `content-length` is returned in `contentLength` only, for the writer to put in the head; without
 * it (trailers) both stay in `flat`. Throws `PagiValidationError` naming the bad entry.
 *
 * @example
 * flattenHeaders([['content-type', 'text/plain'], ['content-length', '2']], 'http.response.start')
 * // { flat: ['content-type', 'text/plain'], contentLength: '2' }
 */
export function flattenHeaders(list: unknown, where: string, dropFraming = true): FlatHeaders {
  const out: FlatHeaders = { flat: undefined as unknown as string[], contentLength: undefined };
  flattenInto(list, where, out, dropFraming);
  return out;
}

/** Where {@link flattenInto} writes its result (the exchange itself, so no result object is made). */
export interface FlatHeadersTarget {
  flat: string[] | undefined;
  contentLength: string | undefined;
}

/**
 * The field list of the last response head {@link flattenInto} made, while no other header list
 * has been flattened since (each call clears `flat` first), and how it relates to the head
 * before it: its first `same` entries are those of `base`. Field lists are shared (a head like
 * the last one gets the last one's array), so nothing changes a field list once made. own-head.ts
 * reads this to reuse the block it wrote for `base` without comparing the fields again.
 */
export interface LastHead {
  flat: string[] | null;
  base: string[] | null;
  same: number;
}
export const lastHead: LastHead = { flat: null, base: null, same: 0 };
/** The places of `lastHead.flat`: its list's length and the index of its content-length (or -1). */
let lastListLength = -1;
let lastLengthAt = -1;
/** `baseLengthAt` when the last head's places are not this list's. */
const NO_BASE = -2;

/**
 * {@link flattenHeaders} writing into `target` instead of returning a new object (the response
 * path runs this once per request). On a throw, `target` is left as it was.
 *
 * @example
 * const target = { flat: undefined, contentLength: undefined };
 * flattenInto([['content-length', '2']], 'http.response.start', target);
 * // target: { flat: [], contentLength: '2' }
 */
export function flattenInto(
  list: unknown,
  where: string,
  target: FlatHeadersTarget,
  dropFraming = true,
): void {
  // The head flattened just before this call, while its fields may be found again at the same
  // places; any call that does not end as a head like it forgets it.
  const base = lastHead.flat;
  lastHead.flat = null;
  if (list === undefined) {
    target.flat = [];
    target.contentLength = undefined;
    return;
  }
  if (!Array.isArray(list)) {
    throw new PagiValidationError(
      `${where}: expected headers to be an array of [name, value] pairs, got ${typeof list}`,
    );
  }
  const n = list.length;
  // Sized up front (a `[]` grown by push reserves 17 slots and copies). A response head's
  // content-length is taken out below, and apps put it last (@pagi/helpers does), so room for it
  // is not reserved: shortening the array is a runtime call (~400 instructions per response).
  // Any other dropped field (or a last entry that is not what it first read as) shortens the
  // array at the end.
  let size = n * 2;
  if (dropFraming && size > 0) {
    const last = list[n - 1] as unknown;
    if (Array.isArray(last) && last[0] === 'content-length') size -= 2;
  }
  // A head laid out as the last one (as many entries, its content-length at the same index) is
  // compared with it place by place as it is checked: while every field is the one that passed
  // at its place last time, the fields are the last head's. `same` counts the entries equal to
  // the last head's; a head equal to it in full gets the last one's array (see lastHead). Making
  // the array only at the first difference (copying the equal start) cost more on a head whose
  // last field is new every time (a request ID) than the allocation saved on an equal head.
  const baseLengthAt = dropFraming && base !== null && n === lastListLength ? lastLengthAt : NO_BASE;
  let flat: string[] = new Array(size);
  let differs = baseLengthAt === NO_BASE;
  let same = 0;
  let count = 0;
  let contentLength: string | undefined;
  let lengthAt = -1;
  // Whether every field is now the last good one at its place (so the next head can compare).
  let recorded = dropFraming;
  for (let i = 0; i < n; i++) {
    const entry = list[i] as unknown;
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw new PagiValidationError(
        `${where}: expected headers[${i}] to be a [name, value] pair, got ${describe(entry)}`,
      );
    }
    const name = entry[0] as unknown;
    const value = entry[1] as unknown;
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new PagiValidationError(
        `${where}: expected headers[${i}] name and value to be strings, got ${typeof name} and ${typeof value}`,
      );
    }
    if (!differs && (name === 'content-length') !== (i === baseLengthAt)) {
      same = count;
      differs = true;
    }
    if (name === 'content-length') {
      // An all-digit length is a safe value as it is: no remembered-value comparison (each
      // response's length is a fresh string) and no name check (the literal is a token).
      // Anything else gets the value check first, so the error names the same problem as before.
      if (!isDigits(value)) {
        if (!checkedValue(value, i)) throw unsafeValue(where, i, name, value);
        throw new PagiValidationError(
          `${where}: expected content-length to be a decimal byte count, got ${JSON.stringify(value)}`,
        );
      }
      if (contentLength !== undefined && contentLength !== value) {
        throw new PagiValidationError(
          `${where}: expected one content-length, got ${contentLength} and ${value}`,
        );
      }
      if (contentLength !== undefined) {
        recorded = false;
        continue;
      }
      contentLength = value;
      lengthAt = i;
      // A response head's length is framing: the writer adds it to the head itself, from the
      // same place as a length it computes (checked-head.ts), not as one of the app's fields.
      if (dropFraming) continue;
    } else {
      if (i >= VALUE_PLACES || lastGoodName[i] !== name || lastGoodValue[i] !== value) {
        if (!differs) {
          same = count;
          differs = true;
        }
        if (!checkedName(name, i)) {
          throw new PagiValidationError(
            `${where}: expected headers[${i}] name to be a lowercase HTTP token, got ${JSON.stringify(name)}`,
          );
        }
        if (!checkedValue(value, i)) throw unsafeValue(where, i, name, value);
        if (i >= VALUE_PLACES || value.length > MAX_REMEMBERED_VALUE_LENGTH) recorded = false;
      }
      if (dropFraming && name === 'transfer-encoding') continue;
    }
    flat[count] = name;
    flat[count + 1] = value;
    count += 2;
  }
  if (!differs) {
    // Every field is the last head's, in the same places: its array, never changed after.
    flat = base!;
    same = count;
  } else if (count !== flat.length) {
    flat.length = count;
  }
  target.flat = flat;
  target.contentLength = contentLength;
  if (recorded) {
    lastHead.flat = flat;
    lastHead.base = baseLengthAt === NO_BASE ? null : base;
    lastHead.same = same;
    lastListLength = n;
    lastLengthAt = lengthAt;
  }
}

function unsafeValue(where: string, i: number, name: string, value: string): PagiValidationError {
  return new PagiValidationError(
    `${where}: expected headers[${i}] (${name}) value to hold no CR, LF, NUL, control or non-byte characters, got ${JSON.stringify(value)}`,
  );
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return value === null ? 'null' : typeof value;
}
