// Tests found missing by mutation testing (docs/mutation-testing.md): each one pins a
// behaviour a mutant of the send validators changed without any other test noticing.
import { describe, expect, it } from 'vitest';
import { createSendValidator } from '../../src/index.js';
import { expectPagiError, STATE, UNKNOWN, VALIDATION } from '../fixtures/expect-error.js';
import { denialScope, httpScope, lifespanScope, sseScope, webSocketScope } from '../fixtures/scopes.js';

const loose = { fields: false } as const;

describe('event type messages name the scope', () => {
  it.each([
    ['http', httpScope(), 'an http scope accepts http.response.start'],
    ['websocket', webSocketScope(), 'a websocket scope accepts websocket.accept'],
    ['sse', sseScope(), 'an sse scope accepts sse.start'],
    ['lifespan', lifespanScope(), 'a lifespan scope accepts lifespan.startup.complete'],
  ])('%s', (_name, scope, text) => {
    expectPagiError(() => createSendValidator(scope).check({ type: 7 }), UNKNOWN, text);
  });
});

describe('http: status boundaries and file handles', () => {
  const start = (status: unknown) =>
    createSendValidator(httpScope()).check({ type: 'http.response.start', status });

  it('accepts 100 and 599, refuses 99 and 600', () => {
    expect(start(100)).toBe('send');
    expect(start(599)).toBe('send');
    expectPagiError(() => start(99), VALIDATION, 'expected an integer from 100 to 599, got 99');
    expectPagiError(() => start(600), VALIDATION, 'got 600');
  });

  const body = (event: object) => {
    const v = createSendValidator(httpScope());
    v.check({ type: 'http.response.start', status: 200 });
    return v.check({ type: 'http.response.body', ...event });
  };
  const read = async () => ({ bytesRead: 0 });

  it('takes fd 0 and a FileHandle-like object; refuses an fd without read(), null and a bare read()', () => {
    expect(body({ fh: 0 })).toBe('send');
    expect(body({ fh: { fd: 0, read } })).toBe('send');
    expectPagiError(() => body({ fh: { fd: 3 } }), VALIDATION, /fh/);
    expectPagiError(() => body({ fh: { read } }), VALIDATION, /fh/);
    expectPagiError(() => body({ fh: { fd: '3', read } }), VALIDATION, /fh/);
    expectPagiError(() => body({ fh: -1 }), VALIDATION, /fh/);
    expectPagiError(() => body({ fh: 'x' }), VALIDATION, /fh/);
  });

  it('treats fh: null as no handle at all', () => {
    const v = createSendValidator(httpScope());
    v.check({ type: 'http.response.start', status: 200 });
    expect(v.check({ type: 'http.response.body', fh: null, body: 'x', more: true })).toBe('send');
    expect(v.state).toBe('started');
  });

  it('ends the body once without trailers, and waits for trailers when declared', () => {
    const v = createSendValidator(httpScope());
    v.check({ type: 'http.response.start', status: 200 });
    v.check({ type: 'http.response.body', body: 'x' });
    expect(v.state).toBe('complete');
    expectPagiError(
      () => v.check({ type: 'http.response.trailers' }),
      STATE,
      "unless 'http.response.start' declared trailers: true",
    );
    expectPagiError(
      () => createSendValidator(httpScope()).check({ type: 'http.response.trailers' }),
      STATE,
      "'http.response.start'",
    );
  });

  it('names the missing fullflush extension, and copes with a scope without extensions', () => {
    expectPagiError(
      () => createSendValidator(httpScope()).check({ type: 'http.fullflush' }),
      UNKNOWN,
      "'fullflush'",
    );
    const bare = { ...httpScope(), extensions: undefined } as unknown as ReturnType<typeof httpScope>;
    expectPagiError(() => createSendValidator(bare).check({ type: 'http.fullflush' }), UNKNOWN, /fullflush/);
  });
});

describe('lifespan: fields: false', () => {
  it('checks message only when fields are on', () => {
    for (const type of ['lifespan.startup.failed', 'lifespan.startup.complete']) {
      expectPagiError(
        () => createSendValidator(lifespanScope()).check({ type, message: 1 }),
        VALIDATION,
        `'${type}' message: expected a string, got 1`,
      );
      expect(createSendValidator(lifespanScope(), loose).check({ type, message: 1 })).toBe('send');
    }
    const v = createSendValidator(lifespanScope(), loose);
    v.check({ type: 'lifespan.startup.complete' });
    expect(v.check({ type: 'lifespan.shutdown.failed', message: 1 })).toBe('send');
  });
});

describe('sse: fields: false and state messages', () => {
  const streaming = (options?: { fields: boolean }) => {
    const v = createSendValidator(sseScope(), options);
    v.check({ type: 'sse.start' });
    return v;
  };

  it('skips comment, keepalive, close, start and decline field checks with fields: false', () => {
    expect(streaming(loose).check({ type: 'sse.comment', comment: 1 })).toBe('send');
    expect(streaming(loose).check({ type: 'sse.keepalive', interval: -1, comment: 1 })).toBe('send');
    expect(streaming(loose).check({ type: 'sse.close', reason: 1 })).toBe('send');
    expect(createSendValidator(sseScope(), loose).check({ type: 'sse.start', status: 'x' })).toBe('send');
    expect(
      createSendValidator(sseScope(), loose).check({ type: 'sse.http.response.start', status: 'x' }),
    ).toBe('send');
    expectPagiError(() => streaming().check({ type: 'sse.comment', comment: 1 }), VALIDATION, 'comment');
    expectPagiError(
      () => streaming().check({ type: 'sse.keepalive', interval: 1, comment: 1 }),
      VALIDATION,
      'comment',
    );
    expectPagiError(() => streaming().check({ type: 'sse.close', reason: 1 }), VALIDATION, 'reason');
    expectPagiError(
      () => createSendValidator(sseScope()).check({ type: 'sse.start', status: 99 }),
      VALIDATION,
      'status',
    );
  });

  it('refuses a second sse.start while streaming and after close, saying twice', () => {
    expectPagiError(
      () => streaming().check({ type: 'sse.start' }),
      STATE,
      /'sse.start' is not allowed twice/,
    );
    const closed = streaming();
    closed.check({ type: 'sse.close' });
    expectPagiError(() => closed.check({ type: 'sse.start' }), STATE, /'sse.start' is not allowed twice/);
  });
});

describe('websocket: fields: false, close reason length, denial', () => {
  const open = (options?: { fields: boolean }) => {
    const v = createSendValidator(denialScope(['chat']), options);
    v.check({ type: 'websocket.accept' });
    return v;
  };

  it('skips keepalive, denial status and denial body checks with fields: false', () => {
    expect(open(loose).check({ type: 'websocket.keepalive', interval: -1 })).toBe('send');
    expectPagiError(
      () => open().check({ type: 'websocket.keepalive', interval: -1 }),
      VALIDATION,
      'interval',
    );
    const deny = createSendValidator(denialScope(), loose);
    expect(deny.check({ type: 'websocket.http.response.start', status: 'x' })).toBe('send');
    expect(deny.check({ type: 'websocket.http.response.body', body: 5, more: 'no' })).toBe('send');
    const strict = createSendValidator(denialScope());
    expectPagiError(
      () => strict.check({ type: 'websocket.http.response.start', status: 99 }),
      VALIDATION,
      'status',
    );
    strict.check({ type: 'websocket.http.response.start', status: 403 });
    expectPagiError(
      () => strict.check({ type: 'websocket.http.response.body', body: 5 }),
      VALIDATION,
      "'websocket.http.response.body' body: expected a Uint8Array or a string, got 5",
    );
  });

  it('checks a subprotocol type before looking it up', () => {
    expectPagiError(
      () => createSendValidator(webSocketScope(['chat'])).check({ type: 'websocket.accept', subprotocol: 5 }),
      VALIDATION,
      "'websocket.accept' subprotocol: expected a string, got 5",
    );
    expectPagiError(
      () =>
        createSendValidator(webSocketScope(['chat'])).check({ type: 'websocket.accept', subprotocol: 'x' }),
      VALIDATION,
      "expected one the client offered ('chat'), got 'x' (string)",
    );
  });

  it('counts close reason bytes from 42 characters on: 41 three-byte characters pass, 42 do not', () => {
    const close = (reason: string) => open().check({ type: 'websocket.close', code: 1000, reason });
    expect(close('€'.repeat(41))).toBe('send');
    expectPagiError(() => close('€'.repeat(42)), VALIDATION, 'expected at most 123 UTF-8 bytes, got 126');
    expect(close('a'.repeat(123))).toBe('send');
    expectPagiError(() => close('a'.repeat(124)), VALIDATION, 'got 124');
  });

  it('names the missing denial extension for both denial events', () => {
    for (const type of ['websocket.http.response.start', 'websocket.http.response.body']) {
      expectPagiError(
        () => createSendValidator(webSocketScope()).check({ type, status: 403 }),
        UNKNOWN,
        `'${type}' needs the 'websocket.http.response' extension, which this websocket scope does not advertise`,
      );
    }
    const bare = { ...webSocketScope(), extensions: undefined } as unknown as ReturnType<
      typeof webSocketScope
    >;
    expectPagiError(
      () => createSendValidator(bare).check({ type: 'websocket.http.response.start', status: 403 }),
      UNKNOWN,
    );
  });
});

describe('websocket text: the hand-written isWellFormed fallback (Node < 20 has no String#isWellFormed)', () => {
  const native = Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed');

  it.each([
    [true, 'plain'],
    [true, '\ud83d\ude00 pair'],
    [true, ''],
    [true, '\ud7ff\ue000\uffff'],
    [false, '\ud83d'],
    [false, 'x\ud83d'],
    [false, '\ud83dx'],
    [false, '\ude00'],
    [false, 'x\udfff'],
    [false, '\udbff\ud800'],
    [false, '\ud800\udbff'],
    [true, '\udbff\udfff'],
    [true, '\ud800\udc00\ud800\udc00'],
  ])('agrees with the native check: %s for %j', (ok, text) => {
    expect((text as unknown as { isWellFormed(): boolean }).isWellFormed()).toBe(ok);
    // Removed for the duration of one call, so the validator takes its hand-written path.
    delete (String.prototype as { isWellFormed?: unknown }).isWellFormed;
    try {
      const v = createSendValidator(webSocketScope());
      v.check({ type: 'websocket.accept' });
      const send = () => v.check({ type: 'websocket.send', text });
      if (ok) expect(send()).toBe('send');
      else expectPagiError(send, VALIDATION, 'expected well-formed UTF-16, got a lone surrogate');
    } finally {
      Object.defineProperty(String.prototype, 'isWellFormed', native!);
    }
  });
});

describe('second run: messages list every choice, and the remaining fields: false paths', () => {
  it('lists the accepted event types separated by commas', () => {
    expectPagiError(
      () => createSendValidator(httpScope()).check({ type: 7 }),
      UNKNOWN,
      'accepts http.response.start, http.response.body',
    );
    expectPagiError(
      () => createSendValidator(httpScope()).check({ type: 'http.fullflush' }),
      UNKNOWN,
      'which this http scope does not advertise',
    );
  });

  it('lists every offered subprotocol', () => {
    expectPagiError(
      () =>
        createSendValidator(webSocketScope(['a', 'b'])).check({ type: 'websocket.accept', subprotocol: 'c' }),
      VALIDATION,
      "expected one the client offered ('a', 'b')",
    );
  });

  it('checks the shutdown message only when fields are on', () => {
    const up = (options?: { fields: boolean }) => {
      const v = createSendValidator(lifespanScope(), options);
      v.check({ type: 'lifespan.startup.complete' });
      return v;
    };
    expectPagiError(
      () => up().check({ type: 'lifespan.shutdown.failed', message: 1 }),
      VALIDATION,
      "'lifespan.shutdown.failed' message: expected a string, got 1",
    );
    expect(up({ fields: false }).check({ type: 'lifespan.shutdown.complete', message: 1 })).toBe('send');
  });

  it('skips the SSE decline body checks with fields: false', () => {
    const declining = (options?: { fields: boolean }) => {
      const v = createSendValidator(sseScope(), options);
      v.check({ type: 'sse.http.response.start', status: 403 });
      return v;
    };
    expect(declining(loose).check({ type: 'sse.http.response.body', body: 5, more: 'x' })).toBe('send');
    expectPagiError(() => declining().check({ type: 'sse.http.response.body', body: 5 }), VALIDATION, 'body');
  });

  it('refuses a lone low surrogate at the bottom of its range and a high one before a non-surrogate', () => {
    const native = Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed');
    delete (String.prototype as { isWellFormed?: unknown }).isWellFormed;
    try {
      for (const text of ['\udc00', '\ud800\ue000', '\udbff\ue000']) {
        const v = createSendValidator(webSocketScope());
        v.check({ type: 'websocket.accept' });
        expectPagiError(() => v.check({ type: 'websocket.send', text }), VALIDATION, 'lone surrogate');
      }
    } finally {
      Object.defineProperty(String.prototype, 'isWellFormed', native!);
    }
  });
});
