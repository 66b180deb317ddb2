import { describe, expect, it } from 'vitest';
import { createSendValidator, type SendValidator } from '../../src/index.js';
import { expectPagiError, STATE, UNKNOWN, VALIDATION } from '../fixtures/expect-error.js';
import { sseScope } from '../fixtures/scopes.js';

const start = { type: 'sse.start' } as const;
const send = { type: 'sse.send', data: 'hello' } as const;
const comment = { type: 'sse.comment', comment: 'ping' } as const;
const keepalive = { type: 'sse.keepalive', interval: 15 } as const;
const close = { type: 'sse.close' } as const;
const declineStart = { type: 'sse.http.response.start', status: 204 } as const;
const declineBody = { type: 'sse.http.response.body' } as const;

function after(...events: object[]): SendValidator {
  const v = createSendValidator(sseScope());
  for (const e of events) v.check(e);
  return v;
}

describe('sse send validator: transitions', () => {
  it('goes init → streaming → closed, then ignores a second close', () => {
    const v = createSendValidator(sseScope());
    expect([v.state, v.finished]).toEqual(['init', false]);
    expect(v.check({ ...start, status: 200, headers: [['x-accel-buffering', 'no']] })).toBe('send');
    expect(v.state).toBe('streaming');
    expect(v.check({ type: 'sse.send', data: 'a\nb\r\nc', event: 'tick', id: '7', retry: 0 })).toBe('send');
    expect(v.check({ type: 'sse.send', data: '' })).toBe('send');
    expect(v.check(comment)).toBe('send');
    expect(v.check({ type: 'sse.keepalive', interval: 0, comment: '' })).toBe('send');
    expect(v.check({ type: 'sse.close', reason: 'done' })).toBe('send');
    expect([v.state, v.finished]).toEqual(['closed', true]);
    expect(v.check(close)).toBe('ignore');
    expect(v.check({ type: 'sse.close', reason: 'again' })).toBe('ignore');
  });

  it('goes init → declining → done', () => {
    const v = createSendValidator(sseScope());
    expect(v.check({ ...declineStart, status: 404, headers: [['content-type', 'text/plain']] })).toBe('send');
    expect(v.state).toBe('declining');
    expect(v.check({ ...declineBody, body: 'not ', more: true })).toBe('send');
    expect(v.state).toBe('declining');
    expect(v.check({ ...declineBody, body: new Uint8Array([1]) })).toBe('send');
    expect([v.state, v.finished]).toEqual(['done', true]);
  });

  it('ignores unknown extra fields (the removed timeout field included)', () => {
    const v = after(start);
    expect(v.check({ ...send, timeout: 5 })).toBe('send');
  });
});

describe('sse send validator: state errors', () => {
  const cases: [string, () => SendValidator, object, RegExp][] = [
    ['send before start', () => after(), send, /^expected 'sse\.start' before 'sse\.send' \(state: init\)$/],
    ['comment before start', () => after(), comment, /before 'sse.comment'/],
    ['keepalive before start', () => after(), keepalive, /before 'sse.keepalive'/],
    ['close before start', () => after(), close, /before 'sse.close'/],
    ['a second start', () => after(start), start, /'sse.start' is not allowed twice/],
    ['start after close', () => after(start, close), start, /state: closed/],
    ['send after close', () => after(start, close), send, /after 'sse.close' \(state: closed\)/],
    ['comment after close', () => after(start, close), comment, /after 'sse.close'/],
    ['keepalive after close', () => after(start, close), keepalive, /after 'sse.close'/],
    ['decline start after start', () => after(start), declineStart, /after 'sse.start' \(state: streaming\)/],
    ['decline start after close', () => after(start, close), declineStart, /after 'sse.start'/],
    ['decline body after start', () => after(start), declineBody, /after 'sse.start'/],
    [
      'decline body before decline start',
      () => after(),
      declineBody,
      /expected 'sse.http.response.start' before/,
    ],
    ['a second decline start', () => after(declineStart), declineStart, /twice/],
    ['start after a decline', () => after(declineStart), start, /declined the stream \(state: declining\)/],
    ['send after a decline', () => after(declineStart), send, /declined the stream/],
    ['comment after a decline', () => after(declineStart, declineBody), comment, /state: done/],
    ['keepalive after a decline', () => after(declineStart), keepalive, /declined/],
    [
      'close after a decline',
      () => after(declineStart, declineBody),
      close,
      /declined the stream \(state: done\)/,
    ],
    ['close while declining', () => after(declineStart), close, /state: declining/],
    ['decline body after the decline ended', () => after(declineStart, declineBody), declineBody, /ended/],
    ['decline start after the decline ended', () => after(declineStart, declineBody), declineStart, /twice/],
  ];
  it.each(cases)('%s → PagiStateError', (_name, make, event, message) => {
    const v = make();
    const state = v.state;
    expectPagiError(() => v.check(event), STATE, message);
    expect(v.state).toBe(state);
  });
});

describe('sse send validator: unknown events', () => {
  it.each([
    [{ type: 'http.fullflush' }, /unknown event type 'http.fullflush' for an sse scope/],
    [{ type: 'http.response.start', status: 200 }, /'http.response.start'/],
    [{ type: 'sse.request' }, /'sse.request'/],
    [{ type: 'sse.disconnect', reason: 'x' }, /expected one of sse.start, sse.send/],
  ])('%o → PagiUnknownEventError (D-10: fullflush is http only)', (event, message) => {
    expectPagiError(() => createSendValidator(sseScope({ fullflush: {} })).check(event), UNKNOWN, message);
  });
});

describe('sse send validator: fields', () => {
  it.each([
    ['status 99', { status: 99 }, /status: expected an integer from 100 to 599, got 99/],
    ['status "200"', { status: '200' }, /got '200'/],
    ['a NUL header value', { headers: [['x-a', '\0']] }, /NUL/],
  ])('start with %s → PagiValidationError', (_name, fields, message) => {
    const v = after();
    expectPagiError(() => v.check({ ...start, ...fields }), VALIDATION, message);
    expect(v.state).toBe('init');
  });

  it.each([
    ['no data', { data: undefined }, /data: expected a string, got nothing/],
    ['numeric data', { data: 42 }, /got 42/],
    ['LF in event', { event: 'a\nb' }, /event: expected a single line without CR, LF, got LF at index 1/],
    ['CR in event', { event: 'a\r' }, /event: .* got CR at index 1/],
    ['LF in id', { id: '1\n2' }, /id: expected a single line without CR, LF or NUL, got LF/],
    ['CR in id', { id: '\r' }, /id: .*got CR/],
    ['NUL in id', { id: 'a\0' }, /got NUL at index 1/],
    ['a numeric event', { event: 5 }, /event: expected a string, got 5/],
    ['a numeric id', { id: 7 }, /id: expected a string, got 7/],
    ['a negative retry', { retry: -1 }, /retry: expected a safe integer ≥ 0, got -1/],
    ['a fractional retry', { retry: 1.5 }, /got 1.5/],
    ['a string retry', { retry: '100' }, /got '100'/],
  ])('send with %s → PagiValidationError', (_name, fields, message) => {
    expectPagiError(() => after(start).check({ ...send, ...fields }), VALIDATION, message);
  });

  it('allows NUL in event (only id bans it)', () => {
    expect(after(start).check({ ...send, event: 'a\0b' })).toBe('send');
  });

  it.each([
    ['comment without text', { type: 'sse.comment' }, /comment: expected a string, got nothing/],
    ['comment as a number', { type: 'sse.comment', comment: 1 }, /got 1/],
    ['keepalive without interval', { type: 'sse.keepalive' }, /interval: expected a finite number ≥ 0/],
    ['keepalive with a negative interval', { type: 'sse.keepalive', interval: -5 }, /got -5/],
    [
      'keepalive with a numeric comment',
      { type: 'sse.keepalive', interval: 5, comment: 0 },
      /comment: expected a string/,
    ],
    ['close with a numeric reason', { type: 'sse.close', reason: 500 }, /reason: expected a string, got 500/],
  ])('%s → PagiValidationError', (_name, event, message) => {
    const v = after(start);
    expectPagiError(() => v.check(event), VALIDATION, message);
    expect(v.state).toBe('streaming');
  });

  it.each([
    [
      'no status',
      { type: 'sse.http.response.start' },
      /status: expected an integer from 100 to 599, got nothing/,
    ],
    ['status 1000', { ...declineStart, status: 1000 }, /got 1000/],
    ['a CR header', { ...declineStart, headers: [['location', '/a\r\nx: y']] }, /CR/],
  ])('decline start with %s → PagiValidationError', (_name, event, message) => {
    expectPagiError(() => after().check(event), VALIDATION, message);
  });

  it.each([
    ['a numeric body', { ...declineBody, body: 3 }, /body: expected a Uint8Array or a string/],
    ['more as 1', { ...declineBody, more: 1 }, /more: expected a boolean, got 1/],
  ])('decline body with %s → PagiValidationError', (_name, event, message) => {
    const v = after(declineStart);
    expectPagiError(() => v.check(event), VALIDATION, message);
    expect(v.state).toBe('declining');
  });

  it('keeps the newline checks with fields: false', () => {
    const v = createSendValidator(sseScope(), { fields: false });
    v.check(start);
    expect(v.check({ type: 'sse.send', data: 42, retry: -1 })).toBe('send');
    expectPagiError(() => v.check({ ...send, event: 'x\ny' }), VALIDATION, /LF/);
    expectPagiError(() => v.check({ ...send, id: 'x\0' }), VALIDATION, /NUL/);
  });
});
