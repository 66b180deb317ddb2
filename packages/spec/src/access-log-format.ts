/**
 * The access-log line formats, defined once: `@pagi/server`'s access log and
 * `@pagi/middleware-access-log` both write their lines with {@link formatAccessLog}.
 * Pure: no I/O, no clock (the caller passes `now`).
 */

/** The line formats: the Apache Common and Combined Log Formats, or one JSON object per line. */
export type AccessLogLineFormat = 'combined' | 'common' | 'json';

/** What one access-log line reports about one request or connection. */
export interface AccessLogEntry {
  /** The client address (`scope.client[0]`, already rewritten behind a trusted proxy), or `-`. */
  client: string;
  method: string;
  /** The raw path and `?query` as received. */
  target: string;
  /** `1.0`, `1.1` or `2`. */
  httpVersion: string;
  /** The status sent; `0` when no status reached the client (an aborted response). */
  status: number;
  /** Body bytes sent (for a file body: its length, not 0). */
  bytes: number;
  durationMs: number;
  referer?: string;
  userAgent?: string;
  /** `http`, `websocket` or `sse`. */
  protocol: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Common Log Format time, in UTC: `10/Oct/2000:13:55:36 +0000`. `now` is a `Date` or epoch
 * milliseconds (`Date.now()`: no `Date` object per line, ~0.6k instructions less).
 *
 * @example
 * clfTime(new Date(Date.UTC(2026, 10, 24, 9, 5, 3))) // '24/Nov/2026:09:05:03 +0000'
 * clfTime(Date.UTC(2026, 10, 24, 9, 5, 3)) // the same
 */
export function clfTime(now: Date | number): string {
  // The text only changes once a second: a busy log formats the same second many times over.
  const ms = typeof now === 'number' ? now : now.getTime();
  return Math.floor(ms / 1000) === lastSecond ? lastClfTime : formatClfTime(ms);
}

/** The text of a new second, remembered for the lines of that second. */
function formatClfTime(ms: number): string {
  const date = new Date(ms);
  lastClfTime =
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
  lastSecond = Math.floor(ms / 1000);
  return lastClfTime;
}

let lastSecond = Number.NaN;
let lastClfTime = '';

// `"` and `\` end or escape a quoted CLF field; control bytes (CR, LF above all) would start a
// forged line. All become `\xNN`, as Apache's mod_log_config does.
const UNSAFE = /[\\"\x00-\x1f\x7f]/g;

/** true when `value` has a character {@link UNSAFE} matches (a loop: cheaper than a regex call on short values). */
function hasUnsafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x7f) return true;
  }
  return false;
}

/**
 * `value` made safe inside a quoted log field: `"`, `\` and control characters become `\xNN`,
 * so a header value cannot end the field or forge a line (log injection).
 *
 * @example
 * escapeLogValue('a"b\nc') // 'a\\x22b\\x0ac'
 */
export function escapeLogValue(value: string): string {
  // Most values need no escaping: a scan allocates nothing, a replace builds a new string.
  if (!hasUnsafe(value)) return value;
  return value.replace(UNSAFE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The last value of each field of an Apache line that needed no escaping, by field: a line
 * usually repeats the client, method, target, version, referer and user agent of one before it,
 * and comparing with the remembered value (a pointer, or a length and a block compare) costs far
 * less than a JavaScript scan of the characters (~0.6k instructions a line). A value that does
 * need escaping is never remembered, so it is escaped every time.
 */
const safeFields = ['', '', '', '', '', ''];
const CLIENT = 0;
const METHOD = 1;
const TARGET = 2;
const VERSION = 3;
const REFERER = 4;
const USER_AGENT = 5;

/** {@link escapeLogValue} for field `field` of an Apache line, with the memo above. */
function escapeField(field: number, value: string): string {
  if (value === safeFields[field]) return value;
  if (hasUnsafe(value)) return escapeLogValue(value);
  safeFields[field] = value;
  return value;
}

/**
 * One access-log line (without the newline), or `undefined` for `off`. `common` and `combined`
 * are the Apache formats (a zero byte count and status 0, an aborted response, are written `-`);
 * `json` is one JSON object (JSON escaping already makes every value safe). `now` is a `Date` or
 * epoch milliseconds.
 *
 * @example
 * formatAccessLog('common', entry, new Date()) // '127.0.0.1 - - [24/Nov/2026:14:20:32 +0000] "GET / HTTP/1.1" 200 13'
 */
export function formatAccessLog(format: AccessLogLineFormat, e: AccessLogEntry, now: Date | number): string;
export function formatAccessLog(
  format: AccessLogLineFormat | 'off',
  e: AccessLogEntry,
  now: Date | number,
): string | undefined;
export function formatAccessLog(
  format: AccessLogLineFormat | 'off',
  e: AccessLogEntry,
  now: Date | number,
): string | undefined {
  switch (format) {
    case 'off':
      return undefined;
    case 'json':
      return JSON.stringify({
        time: (typeof now === 'number' ? new Date(now) : now).toISOString(),
        client: e.client,
        method: e.method,
        target: e.target,
        http_version: e.httpVersion,
        status: e.status,
        bytes: e.bytes,
        duration_ms: Math.round(e.durationMs * 1000) / 1000,
        referer: e.referer,
        user_agent: e.userAgent,
        protocol: e.protocol,
      });
    default: {
      const line =
        `${escapeField(CLIENT, e.client || '-')} - - [${clfTime(now)}] ` +
        // Escaped part by part (the same result): the parts are flat strings, their concatenation
        // would be flattened for the scan.
        `"${escapeField(METHOD, e.method)} ${escapeField(TARGET, e.target)} HTTP/${escapeField(VERSION, e.httpVersion)}" ` +
        `${e.status > 0 ? e.status : '-'} ${e.bytes > 0 ? e.bytes : '-'}`;
      if (format === 'common') return line;
      return `${line} "${escapeField(REFERER, e.referer ?? '-')}" "${escapeField(USER_AGENT, e.userAgent ?? '-')}"`;
    }
  }
}
