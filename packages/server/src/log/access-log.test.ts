import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from '../internal/context.js';
import { clfTime, formatAccessLog } from './access-log.js';

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

describe('access log formats', () => {
  it('formats common, combined and json lines', () => {
    expect(clfTime(now)).toBe('24/Nov/2026:09:05:03 +0000');
    expect(formatAccessLog('common', entry, now)).toBe(
      '10.0.0.1 - - [24/Nov/2026:09:05:03 +0000] "GET /a?b=1 HTTP/1.1" 200 13',
    );
    expect(formatAccessLog('combined', entry, now)).toBe(
      '10.0.0.1 - - [24/Nov/2026:09:05:03 +0000] "GET /a?b=1 HTTP/1.1" 200 13 "http://x/\\x22quoted\\x22" "curl/8"',
    );
    expect(JSON.parse(formatAccessLog('json', entry, now)!)).toMatchObject({
      time: '2026-11-24T09:05:03.000Z',
      method: 'GET',
      target: '/a?b=1',
      status: 200,
      bytes: 13,
      duration_ms: 1.235,
    });
    expect(formatAccessLog('off', entry, now)).toBeUndefined();
  });

  it('writes - for a zero byte count and escapes control bytes so a line cannot be forged', () => {
    const line = formatAccessLog('common', { ...entry, bytes: 0, target: '/x\n127.0.0.1 - - fake' }, now)!;
    expect(line).not.toContain('\n');
    expect(line.endsWith(' 200 -')).toBe(true);
  });
});
