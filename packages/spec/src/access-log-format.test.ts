import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccessLogEntry, clfTime, escapeLogValue, formatAccessLog } from './access-log-format.js';

const entry: AccessLogEntry = {
  client: '10.0.0.1',
  method: 'GET',
  target: '/a?b=1',
  httpVersion: '1.1',
  status: 200,
  bytes: 13,
  durationMs: 1.23456,
  referer: 'http://x/"quoted"',
  userAgent: 'curl/8',
  protocol: 'http',
};
const now = new Date(Date.UTC(2026, 10, 24, 9, 5, 3));

describe('formatAccessLog', () => {
  it('formats common, combined and json lines', () => {
    expect(clfTime(now)).toBe('24/Nov/2026:09:05:03 +0000');
    expect(formatAccessLog('common', entry, now)).toBe(
      '10.0.0.1 - - [24/Nov/2026:09:05:03 +0000] "GET /a?b=1 HTTP/1.1" 200 13',
    );
    expect(formatAccessLog('combined', entry, now)).toBe(
      '10.0.0.1 - - [24/Nov/2026:09:05:03 +0000] "GET /a?b=1 HTTP/1.1" 200 13 "http://x/\\x22quoted\\x22" "curl/8"',
    );
    expect(JSON.parse(formatAccessLog('json', entry, now))).toEqual({
      time: '2026-11-24T09:05:03.000Z',
      client: '10.0.0.1',
      method: 'GET',
      target: '/a?b=1',
      http_version: '1.1',
      status: 200,
      bytes: 13,
      duration_ms: 1.235,
      referer: 'http://x/"quoted"',
      user_agent: 'curl/8',
      protocol: 'http',
    });
    expect(formatAccessLog('off', entry, now)).toBeUndefined();
  });

  it('takes the time as epoch milliseconds too, the same lines', () => {
    const ms = now.getTime();
    for (const format of ['common', 'combined', 'json'] as const) {
      expect(formatAccessLog(format, entry, ms)).toBe(formatAccessLog(format, entry, now));
    }
    expect(clfTime(ms + 999)).toBe('24/Nov/2026:09:05:03 +0000');
    expect(clfTime(ms + 1000)).toBe('24/Nov/2026:09:05:04 +0000');
    expect(clfTime(new Date(ms + 1000))).toBe('24/Nov/2026:09:05:04 +0000');
  });

  it('writes - for a zero byte count and for status 0 (aborted); json keeps 0', () => {
    const aborted = { ...entry, status: 0, bytes: 0 };
    expect(formatAccessLog('common', aborted, now).endsWith('" - -')).toBe(true);
    expect(JSON.parse(formatAccessLog('json', aborted, now))).toMatchObject({ status: 0, bytes: 0 });
  });

  it('escapes quotes, backslashes and control bytes so a value cannot forge a line', () => {
    expect(escapeLogValue('a"b\\c\nd\x7f')).toBe('a\\x22b\\x5cc\\x0ad\\x7f');
    const line = formatAccessLog('combined', { ...entry, target: '/x\n127.0.0.1 - - fake' }, now);
    expect(line).not.toContain('\n');
  });

  it('escapes a field every time, whatever the lines before it held (the safe-value memo)', () => {
    const bad = {
      client: 'a"b',
      method: 'G\nT',
      target: '/\r',
      httpVersion: '1"1',
      referer: 'r\\',
      userAgent: 'u\x00',
    };
    const escaped =
      'a\\x22b - - [24/Nov/2026:09:05:03 +0000] "G\\x0aT /\\x0d HTTP/1\\x221" 200 13 "r\\x5c" "u\\x00"';
    const safe = formatAccessLog('combined', entry, now);
    for (let i = 0; i < 2; i++) {
      expect(formatAccessLog('combined', entry, now)).toBe(safe);
      expect(formatAccessLog('combined', { ...entry, ...bad }, now)).toBe(escaped);
      expect(formatAccessLog('combined', { ...entry, ...bad }, now)).toBe(escaped);
    }
  });

  it('never lets any header value add a line or an unescaped quote (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (ua, ref, target) => {
        const e = { ...entry, userAgent: ua, referer: ref, target };
        for (const format of ['common', 'combined', 'json'] as const) {
          const line = formatAccessLog(format, e, now);
          expect(line).not.toMatch(/[\r\n]/);
        }
        const combined = formatAccessLog('combined', e, now);
        // Exactly the six quotes of the three quoted fields.
        expect(combined.split('"').length - 1).toBe(6);
      }),
    );
  });
});
