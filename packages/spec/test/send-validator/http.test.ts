import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createSendValidator, type SendValidator } from '../../src/index.js';
import { expectPagiError, STATE, UNKNOWN, VALIDATION } from '../fixtures/expect-error.js';
import { httpScope } from '../fixtures/scopes.js';

const start = { type: 'http.response.start', status: 200 } as const;
const startWithTrailers = { type: 'http.response.start', status: 200, trailers: true } as const;
const last = { type: 'http.response.body', body: 'done' } as const;
const chunk = { type: 'http.response.body', body: 'part', more: true } as const;
const trailers = { type: 'http.response.trailers', headers: [['x-checksum', 'abc']] } as const;

function started(trailersDeclared = false, scope = httpScope()): SendValidator {
  const v = createSendValidator(scope);
  v.check(trailersDeclared ? startWithTrailers : start);
  return v;
}

describe('http send validator: transitions', () => {
  it('goes init → started → complete with one final body', () => {
    const v = createSendValidator(httpScope());
    expect([v.state, v.finished]).toEqual(['init', false]);
    expect(v.check(start)).toBe('send');
    expect([v.state, v.finished]).toEqual(['started', false]);
    expect(v.check(chunk)).toBe('send');
    expect(v.state).toBe('started');
    expect(v.check(last)).toBe('send');
    expect([v.state, v.finished]).toEqual(['complete', true]);
  });

  it('goes through body-done when trailers were declared', () => {
    const v = started(true);
    expect(v.check(chunk)).toBe('send');
    expect(v.check({ type: 'http.response.body', more: false })).toBe('send');
    expect([v.state, v.finished]).toEqual(['body-done', false]);
    expect(v.check(trailers)).toBe('send');
    expect([v.state, v.finished]).toEqual(['complete', true]);
  });

  it.each([
    ['no payload', { type: 'http.response.body' }],
    ['more: false', { type: 'http.response.body', body: new Uint8Array([1]), more: false }],
    ['a Buffer', { type: 'http.response.body', body: Buffer.from('x') }],
    ['file (more ignored)', { type: 'http.response.body', file: '/etc/hostname', more: true }],
    ['file with range', { type: 'http.response.body', file: '/srv/a.bin', offset: 10, length: 0 }],
    ['numeric fh (more ignored)', { type: 'http.response.body', fh: 3, more: true }],
    ['body null beside file', { type: 'http.response.body', body: null, file: '/srv/a.bin' }],
  ])('a final body with %s completes the response', (_name, event) => {
    const v = started();
    expect(v.check(event)).toBe('send');
    expect(v.state).toBe('complete');
  });

  it('accepts a real FileHandle as fh', async () => {
    const handle = await open(new URL(import.meta.url));
    try {
      const v = started();
      expect(v.check({ type: 'http.response.body', fh: handle, offset: 0 })).toBe('send');
      expect(v.finished).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('ignores unknown extra fields (forward compatibility)', () => {
    const v = createSendValidator(httpScope());
    expect(v.check({ ...start, timeout: 5, 'x-custom': { a: 1 } })).toBe('send');
    expect(v.check({ ...last, flush: true })).toBe('send');
  });

  it('allows http.fullflush in every state when the extension is advertised', () => {
    const v = createSendValidator(httpScope({ fullflush: {} }));
    expect(v.check({ type: 'http.fullflush' })).toBe('send');
    v.check(start);
    expect(v.check({ type: 'http.fullflush' })).toBe('send');
    expect(v.state).toBe('started');
    v.check(last);
    expect(v.check({ type: 'http.fullflush' })).toBe('send');
  });
});

describe('http send validator: state errors', () => {
  const cases: [string, () => SendValidator, object, RegExp][] = [
    [
      'body before start',
      () => createSendValidator(httpScope()),
      last,
      /^expected 'http\.response\.start' before 'http\.response\.body' \(state: init\)$/,
    ],
    [
      'trailers before start',
      () => createSendValidator(httpScope()),
      trailers,
      /before 'http.response.trailers'/,
    ],
    ['second start', () => started(), start, /twice.*state: started/],
    [
      'second start after completion',
      () => {
        const v = started();
        v.check(last);
        return v;
      },
      start,
      /twice.*state: complete/,
    ],
    [
      'body after complete',
      () => {
        const v = started();
        v.check(last);
        return v;
      },
      last,
      /after the final body \(state: complete\)/,
    ],
    [
      'body after body-done',
      () => {
        const v = started(true);
        v.check(last);
        return v;
      },
      chunk,
      /state: body-done/,
    ],
    ['undeclared trailers', () => started(), trailers, /declared trailers: true/],
    [
      'undeclared trailers after the body',
      () => {
        const v = started();
        v.check(last);
        return v;
      },
      trailers,
      /declared trailers/,
    ],
    [
      'trailers before the final body',
      () => started(true),
      trailers,
      /final 'http.response.body'.*state: started/,
    ],
    [
      'trailers twice',
      () => {
        const v = started(true);
        v.check(last);
        v.check(trailers);
        return v;
      },
      trailers,
      /after the response is complete/,
    ],
  ];
  it.each(cases)('%s → PagiStateError', (_name, make, event, message) => {
    const v = make();
    const before = v.state;
    expectPagiError(() => v.check(event), STATE, message);
    expect(v.state).toBe(before);
  });
});

describe('http send validator: unknown events', () => {
  it.each([
    ['fullflush without the extension', { type: 'http.fullflush' }, /needs the 'fullflush' extension/],
    [
      'a websocket event',
      { type: 'websocket.accept' },
      /unknown event type 'websocket.accept' for an http scope/,
    ],
    [
      'an inbound event',
      { type: 'http.request', body: new Uint8Array() },
      /unknown event type 'http.request'/,
    ],
    ['a numeric type', { type: 42 }, /event type must be a string, got 42/],
    ['a missing type', { status: 200 }, /got nothing/],
  ])('%s → PagiUnknownEventError', (_name, event, message) => {
    expectPagiError(() => createSendValidator(httpScope()).check(event), UNKNOWN, message);
  });

  it('lists the expected types in the message', () => {
    expectPagiError(
      () => createSendValidator(httpScope()).check({ type: 'x' }),
      UNKNOWN,
      'expected one of http.response.start, http.response.body, http.response.trailers, http.fullflush',
    );
  });

  it.each([null, undefined, 'http.response.start', 42, [start]])(
    'a non-object event (%s) is a validation error',
    (event) => {
      expectPagiError(
        () => createSendValidator(httpScope()).check(event),
        VALIDATION,
        /expected an event object/,
      );
    },
  );
});

describe('http send validator: fields', () => {
  it.each([
    ['status 99', { status: 99 }, /status: expected an integer from 100 to 599, got 99/],
    ['status 600', { status: 600 }, /got 600/],
    ['status "200" (D-13: no coercion)', { status: '200' }, /got '200' \(string\)/],
    ['status 200.5', { status: 200.5 }, /got 200.5/],
    ['status NaN', { status: Number.NaN }, /got NaN/],
    ['no status', { status: undefined }, /got nothing/],
    ['trailers as 1', { trailers: 1 }, /trailers: expected a boolean, got 1/],
    ['headers as an object', { headers: { 'x-a': '1' } }, /header list: expected an array/],
    ['uppercase name', { headers: [['X-A', '1']] }, /header 0 \('X-A'\): expected a lowercase header name/],
    ['CR in a value', { headers: [['x-a', 'a\rb']] }, /CR \(0x0d\)/],
    ['LF in a value', { headers: [['x-a', 'a\nb']] }, /LF \(0x0a\)/],
    ['NUL in a value', { headers: [['x-a', 'a\0b']] }, /NUL \(0x00\)/],
    ['a value above 0xff', { headers: [['x-a', 'caf\u0113']] }, /U\+0113/],
    [
      'a numeric value (D-13)',
      { headers: [['content-length', 5]] },
      /expected the value to be a string, got 5/,
    ],
    ['a numeric name', { headers: [[1, 'x']] }, /expected the name to be a string/],
    ['a triple', { headers: [['x-a', '1', '2']] }, /expected a \[name, value\] pair, got an array of 3/],
    ['a space in a name', { headers: [['x a', '1']] }, /RFC 9110 token, got a space/],
    ['a colon in a name', { headers: [['x:a', '1']] }, /got ':'/],
    ['an empty name', { headers: [['', '1']] }, /non-empty header name/],
    [
      'the third entry bad',
      {
        headers: [
          ['a', '1'],
          ['b', '2'],
          ['c', '3'],
          ['x-a', '\n'],
        ],
      },
      /header 3 \('x-a'\)/,
    ],
  ])('start with %s → PagiValidationError', (_name, fields, message) => {
    const v = createSendValidator(httpScope());
    expectPagiError(() => v.check({ ...start, ...fields }), VALIDATION, message);
    expect(v.state).toBe('init');
    expect(v.check(start)).toBe('send');
  });

  it.each([
    ['body and file', { body: 'x', file: '/a' }, /at most one of body, file and fh, got 2/],
    ['body and fh', { body: 'x', fh: 3 }, /got 2/],
    ['file and fh', { file: '/a', fh: 3 }, /got 2/],
    ['all three', { body: 'x', file: '/a', fh: 3 }, /got 3/],
    ['a numeric body', { body: 42 }, /body: expected a Uint8Array or a string, got 42/],
    ['an array body', { body: [1, 2] }, /got an array of 2/],
    [
      'a relative file',
      { file: 'static/a.txt' },
      /file: expected an absolute path string, got 'static\/a.txt'/,
    ],
    ['a numeric file', { file: 7 }, /absolute path string, got 7/],
    ['a negative fd', { fh: -1 }, /fh: expected a FileHandle or a file descriptor/],
    ['a fractional fd', { fh: 1.5 }, /got 1.5/],
    ['a plain object fh', { fh: {} }, /got an object/],
    ['a negative offset', { file: '/a', offset: -1 }, /offset: expected a safe integer ≥ 0, got -1/],
    ['a fractional offset', { file: '/a', offset: 0.5 }, /offset/],
    ['a string length', { file: '/a', length: '10' }, /length: expected a safe integer ≥ 0, got '10'/],
    ['an unsafe length', { file: '/a', length: 2 ** 53 }, /length/],
    ['more as 1', { body: 'x', more: 1 }, /more: expected a boolean, got 1/],
  ])('body with %s → PagiValidationError', (_name, fields, message) => {
    const v = started();
    expectPagiError(() => v.check({ type: 'http.response.body', ...fields }), VALIDATION, message);
    expect(v.state).toBe('started');
  });

  it('checks trailer headers', () => {
    const v = started(true);
    v.check(last);
    expectPagiError(
      () => v.check({ type: 'http.response.trailers', headers: [['x-a', 'a\r\nb']] }),
      VALIDATION,
      /CR/,
    );
    expect(v.state).toBe('body-done');
  });

  it('accepts uppercase header names when strictHeaderCase is false', () => {
    const v = createSendValidator(httpScope(), { strictHeaderCase: false });
    expect(v.check({ ...start, headers: [['Content-Type', 'text/plain']] })).toBe('send');
  });

  it('accepts latin1 bytes, HTAB and obs-text in values', () => {
    const v = createSendValidator(httpScope());
    expect(v.check({ ...start, headers: [['x-a', 'caf\u00e9\tv\u00ff ~!']] })).toBe('send');
  });

  it('skips type and range checks with fields: false, but keeps states and header safety', () => {
    const loose = () => createSendValidator(httpScope(), { fields: false });
    expect(loose().check({ ...start, status: '200' })).toBe('send');
    const v = loose();
    v.check(start);
    expect(v.check({ type: 'http.response.body', body: 'a', file: 'relative' })).toBe('send');
    expect(v.state).toBe('complete');
    expectPagiError(() => loose().check({ ...start, headers: [['x-a', 'a\nb']] }), VALIDATION, /LF/);
    expectPagiError(() => loose().check({ ...start, headers: [['X-A', 'b']] }), VALIDATION, /lowercase/);
    expectPagiError(() => loose().check(last), STATE);
    expectPagiError(() => loose().check({ type: 'http.fullflush' }), UNKNOWN);
  });
});

describe('http send validator: purity', () => {
  it('never writes to the events it checks', () => {
    const freeze = <T extends object>(e: T): T => Object.freeze(e);
    const v = createSendValidator(httpScope());
    const headers = Object.freeze([Object.freeze(['x-a', '1'])]) as unknown as [string, string][];
    expect(v.check(freeze({ ...startWithTrailers, headers }))).toBe('send');
    expect(v.check(freeze({ ...last }))).toBe('send');
    expect(v.check(freeze({ ...trailers }))).toBe('send');
  });
});
