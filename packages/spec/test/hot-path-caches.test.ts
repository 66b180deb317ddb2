// The per-request shortcuts of the access-log format and the header-list edits give the answers
// of the general code they skip.
import { describe, expect, it } from 'vitest';
import { appendVary, clfTime, escapeLogValue, formatAccessLog, setHeader } from '../src/index.js';

describe('clfTime cache', () => {
  it('formats each second anew, also back and forth between seconds', () => {
    const a = new Date(Date.UTC(2026, 10, 24, 9, 5, 3, 10));
    const b = new Date(Date.UTC(2026, 10, 24, 9, 5, 3, 990));
    const c = new Date(Date.UTC(2026, 10, 24, 9, 5, 4, 0));
    expect(clfTime(a)).toBe('24/Nov/2026:09:05:03 +0000');
    expect(clfTime(b)).toBe('24/Nov/2026:09:05:03 +0000');
    expect(clfTime(c)).toBe('24/Nov/2026:09:05:04 +0000');
    expect(clfTime(a)).toBe('24/Nov/2026:09:05:03 +0000');
    expect(clfTime(new Date(Date.UTC(1999, 0, 1, 0, 0, 3)))).toBe('01/Jan/1999:00:00:03 +0000');
  });
});

describe('escapeLogValue fast path', () => {
  it('returns a clean value as it is and escapes each unsafe character otherwise', () => {
    expect(escapeLogValue('/a/b?c=d')).toBe('/a/b?c=d');
    expect(escapeLogValue('a"b\\c\nd\x7f')).toBe('a\\x22b\\x5cc\\x0ad\\x7f');
    // The same escaping twice in a row: the non-global test keeps no state between calls.
    expect(escapeLogValue('"')).toBe('\\x22');
    expect(escapeLogValue('"')).toBe('\\x22');
  });

  it('escapes method, target and version of the request line part by part', () => {
    const line = formatAccessLog(
      'common',
      {
        client: '1.2.3.4',
        method: 'G"ET',
        target: '/x\ny',
        httpVersion: '1.1',
        status: 200,
        bytes: 5,
        durationMs: 1,
        protocol: 'http',
      },
      new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    );
    expect(line).toBe('1.2.3.4 - - [02/Jan/2026:03:04:05 +0000] "G\\x22ET /x\\x0ay HTTP/1.1" 200 5');
  });
});

describe('appendVary one-field shortcut', () => {
  it('appends a Vary to a list without one, leaving the input as it was', () => {
    const list: [string, string][] = [['content-type', 'text/plain']];
    const out = appendVary(list, 'Accept-Encoding');
    expect(out).toEqual([
      ['content-type', 'text/plain'],
      ['vary', 'Accept-Encoding'],
    ]);
    expect(list).toEqual([['content-type', 'text/plain']]);
    expect(out).not.toBe(list);
    expect(out[0]).not.toBe(list[0]);
  });

  it('still merges into an existing Vary, in any case', () => {
    expect(appendVary([['Vary', 'origin']], 'Origin')).toEqual([['vary', 'origin']]);
    expect(appendVary([['vary', '*']], 'Origin')).toEqual([['vary', '*']]);
  });

  it('setHeader leaves its input list untouched', () => {
    const list: [string, string][] = [
      ['a', '1'],
      ['b', '2'],
    ];
    const out = setHeader(list, 'b', '3');
    expect(out).toEqual([
      ['a', '1'],
      ['b', '3'],
    ]);
    expect(list).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });
});

describe('Apache line parts memo', () => {
  it('gives each line the text of its own values, whatever the line before it held', () => {
    const base = {
      client: '10.0.0.1',
      method: 'GET',
      target: '/a',
      httpVersion: '1.1',
      status: 200,
      bytes: 13,
      durationMs: 1,
      referer: 'http://r/',
      userAgent: 'curl/8',
      protocol: 'http',
    };
    const t = Date.UTC(2026, 0, 2, 3, 4, 5);
    const variants = [
      base,
      { ...base, client: '10.0.0.2' },
      { ...base, method: 'POST', target: '/b', httpVersion: '2' },
      { ...base, status: 0, bytes: 0 },
      { ...base, status: 404 },
      { ...base, referer: undefined, userAgent: undefined },
      { ...base, userAgent: 'x"y' },
      { ...base, client: '' },
    ];
    const expected = [
      '10.0.0.1 - - [02/Jan/2026:03:04:05 +0000] "GET /a HTTP/1.1" 200 13 "http://r/" "curl/8"',
      '10.0.0.2 - - [02/Jan/2026:03:04:05 +0000] "GET /a HTTP/1.1" 200 13 "http://r/" "curl/8"',
      '10.0.0.1 - - [02/Jan/2026:03:04:05 +0000] "POST /b HTTP/2" 200 13 "http://r/" "curl/8"',
      '10.0.0.1 - - [02/Jan/2026:03:04:05 +0000] "GET /a HTTP/1.1" - - "http://r/" "curl/8"',
      '10.0.0.1 - - [02/Jan/2026:03:04:05 +0000] "GET /a HTTP/1.1" 404 13 "http://r/" "curl/8"',
      '10.0.0.1 - - [02/Jan/2026:03:04:05 +0000] "GET /a HTTP/1.1" 200 13 "-" "-"',
      '10.0.0.1 - - [02/Jan/2026:03:04:05 +0000] "GET /a HTTP/1.1" 200 13 "http://r/" "x\\x22y"',
      '- - - [02/Jan/2026:03:04:05 +0000] "GET /a HTTP/1.1" 200 13 "http://r/" "curl/8"',
    ];
    // Every order of two lines: each part is remembered from the line before.
    for (let i = 0; i < variants.length; i++) {
      for (let j = 0; j < variants.length; j++) {
        expect(formatAccessLog('combined', variants[i]!, t)).toBe(expected[i]);
        expect(formatAccessLog('combined', variants[j]!, t)).toBe(expected[j]);
        expect(formatAccessLog('common', variants[j]!, t + 1000)).toBe(
          expected[j]!.replace(':05 +0000', ':06 +0000').replace(/ "[^"]*" "[^"]*"$/, ''),
        );
      }
    }
  });
});
