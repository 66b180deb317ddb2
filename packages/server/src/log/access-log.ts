import type { AccessLogEntry } from '../internal/context.js';
import type { AccessLogFormat } from '../options.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Common Log Format time, in UTC: `10/Oct/2000:13:55:36 +0000`. */
export function clfTime(date: Date): string {
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** Escapes `"` and `\` and control bytes so a header value cannot forge a log line. */
function quoteSafe(value: string): string {
  return value.replace(/[\\"\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Formats one access-log line (without the newline), or `undefined` for `off`.
 * `common` and `combined` are the Apache formats; `json` is one JSON object per line.
 *
 * @example
 * formatAccessLog('common', entry, new Date()) // '127.0.0.1 - - [24/Nov/2026:14:20:32 +0000] "GET / HTTP/1.1" 200 13'
 */
export function formatAccessLog(format: AccessLogFormat, e: AccessLogEntry, now: Date): string | undefined {
  switch (format) {
    case 'off':
      return undefined;
    case 'json':
      return JSON.stringify({
        time: now.toISOString(),
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
        `${e.client || '-'} - - [${clfTime(now)}] "${quoteSafe(`${e.method} ${e.target} HTTP/${e.httpVersion}`)}" ` +
        `${e.status} ${e.bytes > 0 ? e.bytes : '-'}`;
      if (format === 'common') return line;
      return `${line} "${quoteSafe(e.referer ?? '-')}" "${quoteSafe(e.userAgent ?? '-')}"`;
    }
  }
}
