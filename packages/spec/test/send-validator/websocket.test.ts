import { describe, expect, it } from 'vitest';
import { createSendValidator, type SendValidator } from '../../src/index.js';
import { expectPagiError, STATE, UNKNOWN, VALIDATION } from '../fixtures/expect-error.js';
import { denialScope, webSocketScope } from '../fixtures/scopes.js';

const accept = { type: 'websocket.accept' } as const;
const text = { type: 'websocket.send', text: 'hi' } as const;
const close = { type: 'websocket.close' } as const;
const denyStart = { type: 'websocket.http.response.start', status: 401 } as const;
const denyBody = { type: 'websocket.http.response.body', body: 'no' } as const;

function opened(subprotocols: string[] = []): SendValidator {
  const v = createSendValidator(denialScope(subprotocols));
  v.check(accept);
  return v;
}

function after(...events: object[]): SendValidator {
  const v = createSendValidator(denialScope());
  for (const e of events) v.check(e);
  return v;
}

describe('websocket send validator: transitions', () => {
  it('goes connecting → open → closed, then ignores a second close', () => {
    const v = createSendValidator(webSocketScope());
    expect([v.state, v.finished]).toEqual(['connecting', false]);
    expect(v.check(accept)).toBe('send');
    expect(v.state).toBe('open');
    expect(v.check(text)).toBe('send');
    expect(v.check({ type: 'websocket.send', bytes: new Uint8Array([1, 2]) })).toBe('send');
    expect(v.check({ type: 'websocket.send', bytes: 'as bytes' })).toBe('send');
    expect(v.check({ type: 'websocket.keepalive', interval: 20, timeout: 5 })).toBe('send');
    expect(v.check({ type: 'websocket.keepalive', interval: 0 })).toBe('send');
    expect(v.check({ type: 'websocket.close', code: 4000, reason: 'bye' })).toBe('send');
    expect([v.state, v.finished]).toEqual(['closed', true]);
    expect(v.check(close)).toBe('ignore');
    expect(v.state).toBe('closed');
  });

  it('a close before accept refuses the handshake (closed, finished)', () => {
    const v = createSendValidator(webSocketScope());
    expect(v.check(close)).toBe('send');
    expect([v.state, v.finished]).toEqual(['closed', true]);
    expect(v.check(close)).toBe('ignore');
  });

  it('goes connecting → denying → denied with the extension', () => {
    const v = createSendValidator(denialScope());
    expect(v.check({ ...denyStart, headers: [['www-authenticate', 'Bearer']] })).toBe('send');
    expect(v.state).toBe('denying');
    expect(v.check({ ...denyBody, more: true })).toBe('send');
    expect(v.state).toBe('denying');
    expect(v.check(denyBody)).toBe('send');
    expect([v.state, v.finished]).toEqual(['denied', true]);
    expect(v.check(close)).toBe('ignore');
  });

  it('a denial body without a payload ends the denial', () => {
    const v = after(denyStart);
    expect(v.check({ type: 'websocket.http.response.body' })).toBe('send');
    expect(v.state).toBe('denied');
  });

  it.each([
    ['after accept', [accept]],
    ['after accept and close', [accept, close]],
  ])('silently ignores denial events %s, even malformed ones', (_name, events) => {
    const v = after(...events);
    const state = v.state;
    expect(v.check(denyStart)).toBe('ignore');
    expect(v.check({ type: 'websocket.http.response.start', status: 'nope' })).toBe('ignore');
    expect(v.check(denyBody)).toBe('ignore');
    expect(v.check({ type: 'websocket.http.response.body', body: 42 })).toBe('ignore');
    expect(v.state).toBe(state);
  });

  it('accepts a subprotocol the client offered', () => {
    const v = createSendValidator(webSocketScope(['chat', 'v2.json']));
    expect(
      v.check({ type: 'websocket.accept', subprotocol: 'v2.json', headers: [['x-server', 'pagi']] }),
    ).toBe('send');
  });

  it('ignores unknown extra fields', () => {
    const v = createSendValidator(webSocketScope());
    expect(v.check({ ...accept, compress: true })).toBe('send');
    expect(v.check({ ...text, binary: false })).toBe('send');
  });
});

describe('websocket send validator: state errors', () => {
  const cases: [string, () => SendValidator, object, RegExp][] = [
    [
      'send before accept',
      () => after(),
      text,
      /^expected 'websocket\.accept' before 'websocket\.send' \(state: connecting\)$/,
    ],
    [
      'keepalive before accept',
      () => after(),
      { type: 'websocket.keepalive', interval: 1 },
      /before 'websocket.keepalive'/,
    ],
    [
      'a second accept',
      () => after(accept),
      accept,
      /'websocket.accept' is not allowed twice \(state: open\)/,
    ],
    ['accept after close-before-accept', () => after(close), accept, /after the handshake was refused/],
    ['accept after a denial', () => after(denyStart, denyBody), accept, /state: denied/],
    ['accept while denying', () => after(denyStart), accept, /state: denying/],
    ['send after close', () => after(accept, close), text, /no longer open \(state: closed\)/],
    [
      'keepalive after close',
      () => after(accept, close),
      { type: 'websocket.keepalive', interval: 1 },
      /closed/,
    ],
    ['send after close-before-accept', () => after(close), text, /state: closed/],
    ['send after a denial', () => after(denyStart, denyBody), text, /state: denied/],
    ['send while denying', () => after(denyStart), text, /state: denying/],
    ['close while denying', () => after(denyStart), close, /final 'websocket.http.response.body'/],
    [
      'denial body before denial start',
      () => after(),
      denyBody,
      /expected 'websocket.http.response.start' before/,
    ],
    ['a second denial start', () => after(denyStart), denyStart, /twice/],
    ['a denial start after close-before-accept', () => after(close), denyStart, /handshake was refused/],
    [
      'a denial body after the denial ended',
      () => after(denyStart, denyBody),
      denyBody,
      /denial response ended/,
    ],
    ['a denial body after close-before-accept', () => after(close), denyBody, /state: closed/],
  ];
  it.each(cases)('%s → PagiStateError', (_name, make, event, message) => {
    const v = make();
    const state = v.state;
    expectPagiError(() => v.check(event), STATE, message);
    expect(v.state).toBe(state);
  });
});

describe('websocket send validator: unknown events', () => {
  it.each([
    ['denial start', denyStart],
    ['denial body', denyBody],
  ])('%s without the extension → PagiUnknownEventError, before or after accept', (_name, event) => {
    expectPagiError(
      () => createSendValidator(webSocketScope()).check(event),
      UNKNOWN,
      /needs the 'websocket.http.response' extension/,
    );
    const v = createSendValidator(webSocketScope());
    v.check(accept);
    expectPagiError(() => v.check(event), UNKNOWN);
  });

  it.each([
    [
      { type: 'websocket.receive', text: 'x' },
      /unknown event type 'websocket.receive' for a websocket scope; expected one of websocket.accept, websocket.send/,
    ],
    [{ type: 'http.response.start', status: 200 }, /'http.response.start'/],
    [{ type: 'websocket.http.response' }, /unknown event type/],
  ])('%o → PagiUnknownEventError', (event, message) => {
    expectPagiError(() => createSendValidator(denialScope()).check(event), UNKNOWN, message);
  });
});

describe('websocket send validator: fields', () => {
  it.each([
    [
      'a subprotocol the client did not offer',
      { subprotocol: 'mqtt' },
      ['chat'],
      /expected one the client offered \('chat'\), got 'mqtt'/,
    ],
    ['a subprotocol when none was offered', { subprotocol: 'chat' }, [], /offered \(none\)/],
    ['a numeric subprotocol', { subprotocol: 1 }, ['1'], /subprotocol: expected a string, got 1/],
    [
      'a sec-websocket-protocol header',
      { headers: [['sec-websocket-protocol', 'chat']] },
      ['chat'],
      /no 'sec-websocket-protocol' header/,
    ],
    [
      'a sec-websocket-accept header',
      { headers: [['sec-websocket-accept', 'x']] },
      [],
      /'sec-websocket-accept'/,
    ],
    ['an upgrade header', { headers: [['upgrade', 'websocket']] }, [], /'upgrade'/],
    ['a connection header', { headers: [['connection', 'upgrade']] }, [], /'connection'/],
    ['a header with LF', { headers: [['x-a', '\n']] }, [], /LF/],
  ])('accept with %s → PagiValidationError', (_name, fields, offered, message) => {
    const v = createSendValidator(webSocketScope(offered));
    expectPagiError(() => v.check({ ...accept, ...fields }), VALIDATION, message);
    expect(v.state).toBe('connecting');
  });

  it('rejects framing headers in any case when strictHeaderCase is false', () => {
    const v = createSendValidator(webSocketScope(), { strictHeaderCase: false });
    expectPagiError(
      () => v.check({ ...accept, headers: [['Upgrade', 'websocket']] }),
      VALIDATION,
      /'upgrade'/,
    );
    expect(v.check({ ...accept, headers: [['X-Server', 'pagi']] })).toBe('send');
  });

  it.each([
    ['both text and bytes', { text: 'a', bytes: 'b' }, /exactly one of text and bytes, got both/],
    ['neither', {}, /got neither/],
    ['both null', { text: null, bytes: null }, /got neither/],
    ['numeric text', { text: 5 }, /text: expected a string, got 5/],
    ['a lone high surrogate', { text: 'a\ud800b' }, /well-formed UTF-16/],
    ['a lone low surrogate', { text: '\udc00' }, /lone surrogate/],
    ['numeric bytes', { bytes: 5 }, /bytes: expected a Uint8Array or a string, got 5/],
    ['array bytes', { bytes: [1] }, /bytes/],
  ])('send with %s → PagiValidationError', (_name, fields, message) => {
    expectPagiError(() => opened().check({ type: 'websocket.send', ...fields }), VALIDATION, message);
  });

  it('accepts text with a surrogate pair and null for the other field', () => {
    const v = opened();
    expect(v.check({ type: 'websocket.send', text: '😀', bytes: null })).toBe('send');
    expect(v.check({ type: 'websocket.send', text: null, bytes: new Uint8Array() })).toBe('send');
  });

  it.each([999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 1000.5, -1, '1000', null, Number.NaN])(
    'close code %s → PagiValidationError',
    (code) => {
      expectPagiError(
        () => opened().check({ ...close, code }),
        VALIDATION,
        /code: expected a sendable close code/,
      );
    },
  );

  it.each([1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4000, 4999])(
    'close code %s is sendable',
    (code) => {
      expect(opened().check({ ...close, code })).toBe('send');
    },
  );

  it('allows a 123-byte reason and rejects 124 bytes', () => {
    const ok123 = `${'é'.repeat(61)}a`;
    expect(Buffer.byteLength(ok123)).toBe(123);
    expect(opened().check({ ...close, reason: ok123 })).toBe('send');
    expect(opened().check({ ...close, reason: 'a'.repeat(123) })).toBe('send');
    expectPagiError(
      () => opened().check({ ...close, reason: 'a'.repeat(124) }),
      VALIDATION,
      /at most 123 UTF-8 bytes, got 124/,
    );
    expectPagiError(() => opened().check({ ...close, reason: 'é'.repeat(62) }), VALIDATION, /got 124/);
    expectPagiError(() => opened().check({ ...close, reason: '😀'.repeat(31) }), VALIDATION, /got 124/);
  });

  it('validates close fields before accept too', () => {
    const v = createSendValidator(webSocketScope());
    expectPagiError(() => v.check({ ...close, code: 1006 }), VALIDATION);
    expect(v.state).toBe('connecting');
  });

  it('rejects a non-string reason', () => {
    expectPagiError(
      () => opened().check({ ...close, reason: 42 }),
      VALIDATION,
      /reason: expected a string, got 42/,
    );
  });

  it.each([
    ['no interval', {}, /interval: expected a finite number ≥ 0, got nothing/],
    ['a negative interval', { interval: -1 }, /got -1/],
    ['an infinite interval', { interval: Number.POSITIVE_INFINITY }, /got Infinity/],
    ['a NaN interval', { interval: Number.NaN }, /got NaN/],
    ['a string interval', { interval: '5' }, /got '5'/],
    ['a negative timeout', { interval: 5, timeout: -0.5 }, /timeout: expected a finite number ≥ 0, got -0.5/],
  ])('keepalive with %s → PagiValidationError', (_name, fields, message) => {
    expectPagiError(() => opened().check({ type: 'websocket.keepalive', ...fields }), VALIDATION, message);
  });

  it.each([
    ['no status', { type: 'websocket.http.response.start' }, /status/],
    ['status 600', { ...denyStart, status: 600 }, /got 600/],
    ['an uppercase header', { ...denyStart, headers: [['Location', '/x']] }, /lowercase/],
  ])('denial start with %s → PagiValidationError', (_name, event, message) => {
    expectPagiError(() => createSendValidator(denialScope()).check(event), VALIDATION, message);
  });

  it.each([
    ['a numeric body', { ...denyBody, body: 1 }, /body/],
    ['more as a string', { ...denyBody, more: 'yes' }, /more: expected a boolean/],
  ])('denial body with %s → PagiValidationError', (_name, event, message) => {
    const v = after(denyStart);
    expectPagiError(() => v.check(event), VALIDATION, message);
    expect(v.state).toBe('denying');
  });

  it('with fields: false skips field checks but keeps header framing and states', () => {
    const v = createSendValidator(webSocketScope(['chat']), { fields: false });
    expect(v.check({ ...accept, subprotocol: 'other' })).toBe('send');
    expect(v.check({ type: 'websocket.send', text: 1, bytes: 2 })).toBe('send');
    expect(v.check({ ...close, code: 1006 })).toBe('send');
    expectPagiError(() => v.check(text), STATE);
    const w = createSendValidator(webSocketScope(), { fields: false });
    expectPagiError(() => w.check({ ...accept, headers: [['x-a', '\r']] }), VALIDATION);
    expectPagiError(() => w.check({ ...accept, headers: [['upgrade', 'websocket']] }), VALIDATION);
  });
});

describe('websocket send validator: one event shared by many connections (broadcast)', () => {
  it('accepts a checked frozen event on other connections, still refusing it outside the open state', () => {
    const shared = Object.freeze({ type: 'websocket.send', text: 'to all' });
    expect(opened().check(shared)).toBe('send');
    expect(opened().check(shared)).toBe('send');
    expectPagiError(() => createSendValidator(webSocketScope()).check(shared), STATE);
    expectPagiError(() => after(accept, close).check(shared), STATE);
  });

  it('re-checks a shared event that is not frozen: it may have changed', () => {
    const shared: { type: string; text: unknown } = { type: 'websocket.send', text: 'ok' };
    expect(opened().check(shared)).toBe('send');
    shared.text = 'a\ud800b';
    expectPagiError(() => opened().check(shared), VALIDATION, /well-formed UTF-16/);
    shared.text = 5;
    expectPagiError(() => opened().check(shared), VALIDATION, /expected a string/);
  });

  it('checks each string for lone surrogates, whatever was sent before', () => {
    const v = opened();
    expect(v.check({ type: 'websocket.send', text: 'fine' })).toBe('send');
    expectPagiError(() => v.check({ type: 'websocket.send', text: '\udc00' }), VALIDATION, /lone surrogate/);
    expect(v.check({ type: 'websocket.send', text: 'fine' })).toBe('send');
  });
});
