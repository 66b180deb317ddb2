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

/*
 * The four parts of an Apache line, each remembered with the values it was made from. Lines in a
 * row mostly repeat them (one client's requests, one second, the same status and size, the same
 * agent), and a part rebuilt costs a handful of concatenations, each a new string object
 * (~0.5 KB of garbage a line); a remembered one costs a comparison per value. A value is
 * compared before escaping, and escaping gives one answer per value, so a remembered part is the
 * text the value would give again.
 */
let prefixClient = '';
let prefixTime = '';
let prefixText = '';

/** `client - - [time] "`. */
function linePrefix(client: string, time: string): string {
  if (client !== prefixClient || time !== prefixTime || prefixText === '') {
    prefixText = `${escapeField(CLIENT, client)} - - [${time}] "`;
    prefixClient = client;
    prefixTime = time;
  }
  return prefixText;
}

let requestMethod = '';
let requestTarget = '';
let requestVersion = '';
let requestText = '';

/** `METHOD target HTTP/version" `, escaped part by part (the parts are flat; their join would be flattened for the scan). */
function requestPart(method: string, target: string, version: string): string {
  if (
    method !== requestMethod ||
    target !== requestTarget ||
    version !== requestVersion ||
    requestText === ''
  ) {
    requestText = `${escapeField(METHOD, method)} ${escapeField(TARGET, target)} HTTP/${escapeField(VERSION, version)}" `;
    requestMethod = method;
    requestTarget = target;
    requestVersion = version;
  }
  return requestText;
}

let resultStatus = -1;
let resultBytes = -1;
let resultText = '';

/** `status bytes`, each `-` when 0 (an aborted response, an empty body). */
function resultPart(status: number, bytes: number): string {
  if (status !== resultStatus || bytes !== resultBytes) {
    resultText = `${status > 0 ? status : '-'} ${bytes > 0 ? bytes : '-'}`;
    resultStatus = status;
    resultBytes = bytes;
  }
  return resultText;
}

let agentReferer = '';
let agentName = '';
let agentText = '';

/** ` "referer" "user agent"` of the combined format. */
function agentPart(referer: string, userAgent: string): string {
  if (referer !== agentReferer || userAgent !== agentName || agentText === '') {
    agentText = ` "${escapeField(REFERER, referer)}" "${escapeField(USER_AGENT, userAgent)}"`;
    agentReferer = referer;
    agentName = userAgent;
  }
  return agentText;
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
        linePrefix(e.client || '-', clfTime(now)) +
        requestPart(e.method, e.target, e.httpVersion) +
        resultPart(e.status, e.bytes);
      if (format === 'common') return line;
      return line + agentPart(e.referer ?? '-', e.userAgent ?? '-');
    }
  }
}
