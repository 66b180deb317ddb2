// SSE wire format (WHATWG HTML §9.2.6): the exact bytes formatSseMessage/formatSseComment write.
import { describe, expect, it } from 'vitest';
import { formatSseComment, formatSseMessage } from '../../src/index.js';

describe('formatSseMessage', () => {
  it('writes a single-line payload as one data line and the blank line', () => {
    expect(formatSseMessage({ data: 'hello' })).toBe('data: hello\n\n');
  });

  it('always writes a data line, even for empty data', () => {
    expect(formatSseMessage({ data: '' })).toBe('data: \n\n');
  });

  it('splits multi-line data on LF, CR and CRLF alike', () => {
    expect(formatSseMessage({ data: 'a\nb' })).toBe('data: a\ndata: b\n\n');
    expect(formatSseMessage({ data: 'a\rb' })).toBe('data: a\ndata: b\n\n');
    expect(formatSseMessage({ data: 'a\r\nb' })).toBe('data: a\ndata: b\n\n');
    expect(formatSseMessage({ data: 'a\r\rb\n' })).toBe('data: a\ndata: \ndata: b\ndata: \n\n');
    expect(formatSseMessage({ data: '\n' })).toBe('data: \ndata: \n\n');
  });

  it('orders event, data, id and retry', () => {
    expect(formatSseMessage({ data: 'a\nb', event: 'tick', id: '7', retry: 1500 })).toBe(
      'event: tick\ndata: a\ndata: b\nid: 7\nretry: 1500\n\n',
    );
  });

  it('leaves out empty or missing event and id, keeps retry 0', () => {
    expect(formatSseMessage({ data: 'x', event: '', id: '' })).toBe('data: x\n\n');
    expect(formatSseMessage({ data: 'x', event: undefined, id: undefined, retry: undefined })).toBe(
      'data: x\n\n',
    );
    expect(formatSseMessage({ data: 'x', retry: 0 })).toBe('data: x\nretry: 0\n\n');
    expect(formatSseMessage({ data: 'x', id: '0' })).toBe('data: x\nid: 0\n\n');
    expect(formatSseMessage({ data: 'x', event: 'e' })).toBe('event: e\ndata: x\n\n');
  });
});

describe('formatSseComment', () => {
  it('prefixes each line with a colon unless it has one', () => {
    expect(formatSseComment('ping')).toBe(':ping\n\n');
    expect(formatSseComment(':ping')).toBe(':ping\n\n');
    expect(formatSseComment('')).toBe(':\n\n');
  });

  it('splits on LF, CR and CRLF', () => {
    expect(formatSseComment('a\nb\rc\r\nd')).toBe(':a\n:b\n:c\n:d\n\n');
    expect(formatSseComment('a\n:b')).toBe(':a\n:b\n\n');
    expect(formatSseComment('a\r\n')).toBe(':a\n:\n\n');
  });
});
