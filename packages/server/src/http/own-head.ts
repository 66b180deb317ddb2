import { ServerResponse, STATUS_CODES } from 'node:http';
import { seenBefore } from '../internal/field-places.js';
import { lastHead } from './response-headers.js';

/**
 * The server writes an HTTP/1.1 response head itself: one string, handed to node as its finished
 * `_header`, so node does no per-field work at all.
 *
 * `writeHead(status)` + `_storeHeader` (node 20's `lib/_http_server.js` and `_http_outgoing.js`)
 * concatenate each field, lower-case each name to match it against the names node treats
 * specially, and add `Date`, `Connection`/`Keep-Alive` and the length framing: ~4k instructions
 * for a nine-field head. The fields here were checked by `flattenInto` (lowercase RFC 9110 tokens,
 * values without control characters), and a response repeats the names and values of the one
 * before in the same places, so the field block is kept per place and reused up to the first
 * field that differs (a fresh request ID at the end costs one line).
 *
 * The bytes and the response's state are those node's own path produces for the same head (the
 * field map path of checked-head.ts; test/http/own-head.test.ts compares them on the wire). Taken
 * only for a plain head: node's own `ServerResponse` with nothing set on it by `setHeader`/
 * `removeHeader`, node's `writeHead`, no status message set, the date on, no field node treats
 * specially (`connection`, `keep-alive`, `date`, `expect`, `trailer`, `transfer-encoding`; a
 * `content-length` the app sent comes apart, in `contentLength`), no repeated name and no name
 * that is an array index (node's field map would reorder those). Anything else returns false and
 * the caller takes node's path.
 *
 * node internals relied on (checked on the first response, node 20 only; otherwise node's path
 * is always taken): the fields `_header`, `_headerSent`, `_last`, `_hasBody`, `_contentLength`,
 * `chunkedEncoding`, `shouldKeepAlive`, `useChunkedEncodingByDefault`, `sendDate`,
 * `maxRequestsOnConnectionReached`, `_defaultKeepAlive`, `_keepAliveTimeout`,
 * `_maxRequestsPerSocket`, `_removedConnection`, `_removedContLen`, `_removedTE`,
 * `_expect_continue`, `_sent100`, and `_send` prepending `_header` to the first body write.
 */

/** Set to false (tests only) to take node's own head path for every response. */
let enabled = true;

/** Test hook: turns the server-written head on or off (on by default). */
export function setOwnHead(on: boolean): void {
  enabled = on;
}

const nodeWriteHead = ServerResponse.prototype.writeHead;

/** Whether this node's responses look as this file expects: undefined until the first response. */
let usable: boolean | undefined;

function isBool(v: unknown): boolean {
  return v === true || v === false;
}

/**
 * Checks once, on the first response (before anything is written to it), that node's response
 * carries the fields this file reads and writes, with the types node 20 gives them.
 */
function checkInternals(res: NodeResponse): boolean {
  const major = Number(process.versions.node.split('.')[0]);
  return (
    major === 20 &&
    typeof res._send === 'function' &&
    res._header === null &&
    res._headerSent === false &&
    isBool(res._last) &&
    isBool(res._hasBody) &&
    res._contentLength === null &&
    res.chunkedEncoding === false &&
    isBool(res.shouldKeepAlive) &&
    isBool(res.useChunkedEncodingByDefault) &&
    isBool(res.sendDate) &&
    isBool(res.maxRequestsOnConnectionReached) &&
    isBool(res._defaultKeepAlive) &&
    typeof res._keepAliveTimeout === 'number' &&
    '_maxRequestsPerSocket' in res &&
    res._removedConnection === false &&
    res._removedContLen === false &&
    res._removedTE === false &&
    isBool(res._expect_continue) &&
    isBool(res._sent100)
  );
}

/** The node-internal fields of a `ServerResponse` this file uses (node 20). */
interface NodeResponse {
  statusCode: number;
  statusMessage: string;
  writeHead: unknown;
  _send: unknown;
  _header: string | null;
  _headerSent: boolean;
  _last: boolean;
  _hasBody: boolean;
  _contentLength: number | null;
  chunkedEncoding: boolean;
  shouldKeepAlive: boolean;
  useChunkedEncodingByDefault: boolean;
  sendDate: boolean;
  maxRequestsOnConnectionReached: boolean;
  _defaultKeepAlive: boolean;
  _keepAliveTimeout: number;
  _maxRequestsPerSocket: number | undefined;
  _removedConnection: boolean;
  _removedContLen: boolean;
  _removedTE: boolean;
  _expect_continue: boolean;
  _sent100: boolean;
  agent?: unknown;
}

// --- The date (node's utcDate: one string per second, dropped by an unref'd timer) -------------

let utc: string | null = null;

function dropDate(): void {
  utc = null;
}

function utcDate(): string {
  if (utc === null) {
    const d = new Date();
    utc = d.toUTCString();
    setTimeout(dropDate, 1000 - d.getMilliseconds()).unref();
  }
  return utc;
}

// --- The field block, per place ----------------------------------------------------------------

/** Fields whose block is kept per place; a longer head is built whole each time. */
const PLACES = 32;
/** A block longer than this is not kept (its prefixes would hold it once per place). */
const MAX_KEPT = 8 * 1024;

/** The status of the kept block (its first line). */
let keptStatus = -1;
/** The names and values the kept block was built from, as in `flat`. */
const keptFields: Array<string | undefined> = new Array<string | undefined>(PLACES * 2).fill(undefined);
/** `keptPrefix[p]`: the status line and the lines of the first `p` kept fields. */
const keptPrefix: string[] = new Array<string>(PLACES + 1).fill('');
/** How many fields `keptPrefix` holds (`keptPrefix[0..keptCount]` are valid). */
let keptCount = 0;
/**
 * An id per kept prefix, and `blockId`, the id of the block {@link fieldBlock} returned last: the
 * whole-head cache compares ids, because `===` on two different strings of the same length
 * compares their characters (flattening both first), which is what a fresh request ID at the
 * end of the head would cost on every response. Ids are unique until {@link nextId} passes
 * {@link LAST_ID}, when every cache here is dropped and ids start again.
 */
const keptPrefixId: number[] = new Array<number>(PLACES + 1).fill(0);
let blockId = 0;
let nextId = 1;
/**
 * The field list the kept block was last built or found for (null when none): field lists are
 * never changed once made (flattenInto), so the same array holds the same fields.
 */
let keptFlat: string[] | null = null;
const LAST_ID = 0x3fff0000;

/** Forgets every kept block and head (the ids start again). */
function dropKept(): void {
  keptStatus = -1;
  keptCount = 0;
  keptFlat = null;
  nextId = 1;
  blockId = 0;
  keptHeadBlockId = 0;
}

/**
 * Whether node's `matchHeader` acts on `name` (lowercase), or `name` is an array index (node's
 * field map would list it first). `content-length` is never in `flat` for a head (flattenInto
 * keeps it apart).
 */
function isSpecialName(name: string): boolean {
  const c = name.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) return true;
  switch (name.length) {
    case 4:
      return name === 'date';
    case 6:
      return name === 'expect';
    case 7:
      return name === 'trailer';
    case 10:
      return name === 'connection' || name === 'keep-alive';
    case 14:
      return name === 'content-length';
    case 17:
      return name === 'transfer-encoding';
    default:
      return false;
  }
}

/**
 * Makes `s` one flat string now (V8 flattens a concatenation tree in place when a character is
 * read from it), so a kept string is copied once, not walked as a tree on every write. Called
 * when a kept string is used again, so a string made once and never reused is not copied twice.
 */
function flatten(s: string): string {
  s.charCodeAt(0);
  return s;
}

/**
 * The status line and the fields, `name: value\r\n` each, or null when the head is not a plain
 * one (see the file comment). Reuses the kept block up to the first field that differs.
 */
function fieldBlock(status: number, statusLine: string, flat: string[]): string | null {
  const n = flat.length;
  let i = 0;
  if (status === keptStatus) {
    const kept = keptCount * 2;
    if (flat === keptFlat) {
      i = Math.min(n, kept);
    } else if (flat === lastHead.flat && lastHead.base === keptFlat && keptFlat !== null) {
      // flattenInto compared this head with the kept one already, place by place.
      i = Math.min(lastHead.same, kept);
    } else {
      const same = Math.min(n, kept);
      while (i < same && flat[i] === keptFields[i] && flat[i + 1] === keptFields[i + 1]) i += 2;
    }
    keptFlat = flat;
    if (i === n) {
      blockId = keptPrefixId[n >> 1]!;
      return flatten(keptPrefix[n >> 1]!);
    }
  } else {
    keptStatus = status;
    keptPrefix[0] = statusLine;
    keptPrefixId[0] = nextId++;
    keptCount = 0;
    keptFlat = flat;
  }
  let place = i >> 1;
  let block = place === 0 ? keptPrefix[0]! : flatten(keptPrefix[place]!);
  let id = keptPrefixId[place]!;
  // Places from here on are rebuilt; the kept ones end where the difference starts.
  keptCount = place;
  for (; i < n; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    if (isSpecialName(name) || seenBefore(flat, i, name)) {
      keptFlat = null;
      return null;
    }
    block = `${block}${name}: ${value}\r\n`;
    id = nextId++;
    place++;
    if (place <= PLACES && keptCount === place - 1 && block.length <= MAX_KEPT) {
      keptFields[i] = name;
      keptFields[i + 1] = value;
      keptPrefix[place] = block;
      keptPrefixId[place] = id;
      keptCount = place;
    }
  }
  blockId = id;
  return block;
}

// --- The status line -----------------------------------------------------------------------------

/** `HTTP/1.1 <status> <reason>\r\n` by status, with node's reason phrase (`STATUS_CODES`). */
const statusLines: Array<string | undefined> = new Array<string | undefined>(600).fill(undefined);
/** node's reason phrase by status (`'unknown'` for a status it has none for), as writeHead sets. */
const reasons: Array<string | undefined> = new Array<string | undefined>(600).fill(undefined);

function reasonOf(status: number): string {
  let r = reasons[status];
  if (r === undefined) {
    r = STATUS_CODES[status] || 'unknown';
    reasons[status] = r;
    statusLines[status] = `HTTP/1.1 ${status} ${r}\r\n`;
  }
  return r;
}

// --- Date, Connection, Keep-Alive and framing -----------------------------------------------------

// What follows the fields: which `Connection` line node writes, and whether it adds chunked framing.
const KEEP_ALIVE_TIMEOUT = 0; // Connection: keep-alive + Keep-Alive: timeout=N[, max=M]
const KEEP_ALIVE = 1; // Connection: keep-alive
const CLOSE = 2; // Connection: close
const CHUNKED = 3; // added to one of the above: Transfer-Encoding: chunked

/** The `Keep-Alive` line for the kept timeout and limit. */
let keepAliveLine = '';
let keptTimeout = -1;
let keptMax: unknown = -1;
/** The tails (Date to the blank line) for the kept date and Keep-Alive line, by kind. */
let tailDate: string | null = null;
const tails: string[] = new Array<string>(6).fill('');

function tailFor(kind: number, date: string, res: NodeResponse): string {
  if (kind === KEEP_ALIVE_TIMEOUT || kind === KEEP_ALIVE_TIMEOUT + CHUNKED) {
    const timeout = res._keepAliveTimeout;
    const max = res._maxRequestsPerSocket;
    if (timeout !== keptTimeout || max !== keptMax) {
      keptTimeout = timeout;
      keptMax = max;
      const limit = ~~(max as number) > 0 ? `, max=${max}` : '';
      keepAliveLine = `Keep-Alive: timeout=${Math.floor(timeout / 1000)}${limit}\r\n`;
      tails[KEEP_ALIVE_TIMEOUT] = '';
      tails[KEEP_ALIVE_TIMEOUT + CHUNKED] = '';
    }
  }
  if (date !== tailDate) {
    tailDate = date;
    tails.fill('');
  }
  let tail = tails[kind]!;
  if (tail === '') {
    const conn = kind % CHUNKED;
    tail = `Date: ${date}\r\n`;
    if (conn === CLOSE) tail += 'Connection: close\r\n';
    else tail += 'Connection: keep-alive\r\n';
    if (conn === KEEP_ALIVE_TIMEOUT) tail += keepAliveLine;
    if (kind >= CHUNKED) tail += 'Transfer-Encoding: chunked\r\n';
    tail = flatten(`${tail}\r\n`);
    tails[kind] = tail;
  }
  return tail;
}

// --- The whole head ------------------------------------------------------------------------------

/** The last head and what it was made of: the same block, length and tail make the same string. */
let keptHead = '';
let keptHeadBlockId = 0;
let keptHeadLength: string | undefined;
let keptHeadTail = '';

/**
 * The head: the block, the length field (lowercase, where node's field map put the server's own
 * length: after the other fields), then the tail. A head like the last one is that one string,
 * already flat, so node's write copies it once instead of walking five pieces.
 */
function headOf(block: string, length: string | undefined, tail: string): string {
  if (blockId === keptHeadBlockId && tail === keptHeadTail && length === keptHeadLength) {
    return flatten(keptHead);
  }
  const head = length === undefined ? block + tail : `${block}content-length: ${length}\r\n${tail}`;
  keptHead = head;
  keptHeadBlockId = blockId;
  keptHeadLength = length;
  keptHeadTail = tail;
  return head;
}

/**
 * Writes the head of `res` as node's `writeHead(status)` + `_storeHeader` would for the field map
 * `flat` + `content-length: contentLength` (checked-head.ts), with the same side effects on `res`;
 * returns false, having changed nothing, when the head or the response is not a plain one.
 */
export function writeOwnHead(
  response: ServerResponse,
  status: number,
  flat: string[],
  contentLength: string | undefined,
): boolean {
  if (!enabled) return false;
  const res = response as unknown as NodeResponse;
  if (usable !== true) {
    if (usable === undefined) usable = checkInternals(res);
    if (!usable) return false;
  }
  if (
    res.writeHead !== nodeWriteHead ||
    res._header !== null ||
    res.statusMessage ||
    !res.sendDate ||
    res._contentLength !== null ||
    res.chunkedEncoding ||
    res._removedConnection ||
    res._removedContLen ||
    res._removedTE
  ) {
    return false;
  }
  if (nextId > LAST_ID) dropKept();
  const reason = reasonOf(status);
  const block = fieldBlock(status, statusLines[status]!, flat);
  if (block === null) return false;

  // writeHead's prologue.
  res.statusMessage = reason;
  res.statusCode = status;
  if (status === 204 || status === 304 || status < 200) res._hasBody = false;
  // A client that expects 100 Continue but got a final status may put extra bytes on the wire.
  if (res._expect_continue && !res._sent100) res.shouldKeepAlive = false;

  // _storeHeader: keep-alive, then framing (no field of the head names either; see isSpecialName).
  const hasLength = contentLength !== undefined;
  let kind: number;
  if (res.shouldKeepAlive && (hasLength || res.useChunkedEncodingByDefault || res.agent)) {
    // node writes `Connection: close` for the last request a socket may serve, without `_last`.
    if (res.maxRequestsOnConnectionReached) kind = CLOSE;
    else if (res._keepAliveTimeout && res._defaultKeepAlive) kind = KEEP_ALIVE_TIMEOUT;
    else kind = KEEP_ALIVE;
  } else {
    res._last = true;
    kind = CLOSE;
  }
  if (hasLength) {
    res._contentLength = +contentLength;
  } else if (!res._hasBody) {
    res.chunkedEncoding = false;
  } else if (!res.useChunkedEncodingByDefault) {
    res._last = true;
  } else {
    res.chunkedEncoding = true;
    kind += CHUNKED;
  }
  res._header = headOf(block, contentLength, tailFor(kind, utcDate(), res));
  res._headerSent = false;
  return true;
}
