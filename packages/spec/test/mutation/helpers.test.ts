// Tests found missing by mutation testing (docs/mutation-testing.md): boundaries of the small
// parsers and predicates (percent-decoding, q-values, ASCII case folding, token tables).
import { describe, expect, it } from 'vitest';
import {
  acceptsEventStream,
  createSendValidator,
  decodePath,
  getHeader,
  isDisconnectReason,
  isPagiError,
  isReportableCloseCode,
  isSendableCloseCode,
  PAGI_SPEC_VERSION,
  PAGI_VERSION,
  PagiError,
  toBytes,
  validateHeaderList,
} from '../../src/index.js';
import { describe as describeValue, quote } from '../../src/internal/describe.js';
import { isToken } from '../../src/internal/token.js';
import { expectPagiError, VALIDATION } from '../fixtures/expect-error.js';
import { webSocketScope } from '../fixtures/scopes.js';

describe('decodePath', () => {
  it('UTF-8-decodes raw bytes above 0x7F even without any %', () => {
    expect(decodePath('/caf\u00c3\u00a9')).toBe('/café');
    expect(decodePath('/\u00ff')).toBe('/\u00ff');
  });

  it('decodes every hex digit in both cases', () => {
    expect(decodePath('/%30%39%41%46%61%66%4a%4A%7e')).toBe('/09AFafJJ~');
  });

  it('leaves a % followed by anything but two hex digits alone', () => {
    for (const raw of [
      '%4z',
      '%z4',
      '%zz',
      '%W1',
      '%1W',
      '%G0',
      '%g0',
      '%:0',
      '%/0',
      '%@0',
      '%`0',
      '%0:',
      '%0/',
      '%0@',
      '%0`',
      '%0G',
      '%0g',
      '%4',
      '%',
    ]) {
      expect(decodePath(`/${raw}`), raw).toBe(`/${raw}`);
    }
  });
});

describe('acceptsEventStream: q-values and parameters', () => {
  it.each([
    ['text/event-stream;q=10', false],
    ['text/event-stream;q=0.0001', false],
    ['text/event-stream;q=1.0001', false],
    ['text/event-stream;q=0.001', true],
    ['text/event-stream;q=1.000', true],
    ['text/event-stream; q =0', false],
    ['text/event-stream; Q=0', false],
    ['text/event-stream; qq', true],
    ['text/event-stream; q', true],
    ['text/event-stream; a="', true],
    ['text/event-stream; a="\\', true],
    ['text/event-stream; a="x\\",text/html"', true],
    ['text/html; a="\\",text/event-stream"', false],
    ['text/html; a="\\"", text/event-stream', true],
  ])('%s → %s', (accept, expected) => {
    expect(acceptsEventStream(accept)).toBe(expected);
  });
});

describe('ASCII case folding of header names', () => {
  it('folds A–Z only: A/a and Z/z match, @/` and [/{ do not', () => {
    const list: [string, string][] = [
      ['a', '1'],
      ['z', '2'],
      ['@', '3'],
      ['[', '4'],
    ];
    expect(getHeader(list, 'A')).toBe('1');
    expect(getHeader(list, 'Z')).toBe('2');
    expect(getHeader([['A', '1']], 'a')).toBe('1');
    expect(getHeader([['Z', '2']], 'z')).toBe('2');
    expect(getHeader(list, '`')).toBeUndefined();
    expect(getHeader(list, '{')).toBeUndefined();
    expect(getHeader([['`', '3']], '@')).toBeUndefined();
    expect(getHeader([['{', '4']], '[')).toBeUndefined();
  });

  it('takes A and Z as token characters and names them when lowercase is required', () => {
    expect(isToken('A')).toBe(true);
    expect(isToken('Z')).toBe(true);
    expect(isToken('\u0100')).toBe(false);
    expect(isToken('\u007f')).toBe(false);
    for (const [name, ch] of [
      ['xA', 'A'],
      ['xZ', 'Z'],
    ]) {
      expectPagiError(
        () => validateHeaderList([[name!, 'v']], 'h'),
        VALIDATION,
        `expected a lowercase header name, got uppercase '${ch}' at index 1`,
      );
    }
    expect(() => validateHeaderList([['x@', 'v']], 'h')).toThrow(/got '@' at index 1/);
    expect(() => validateHeaderList([['x[', 'v']], 'h')).toThrow(/got '\[' at index 1/);
  });

  it('names the offending character of a header name byte by byte', () => {
    expect(() => validateHeaderList([['\u0080', 'v']], 'h')).toThrow(/got byte 0x80 at index 0/);
    expect(() => validateHeaderList([['\u00ff', 'v']], 'h')).toThrow(/got byte 0xff at index 0/);
    expect(() => validateHeaderList([['\u0100', 'v']], 'h')).toThrow(
      /got U\+0100 \(above 0xff, not a byte\) at index 0/,
    );
    expect(() => validateHeaderList([['\u001f', 'v']], 'h')).toThrow(/got control character 0x1f at index 0/);
    expect(() => validateHeaderList([['!', '\u007f']], 'h')).toThrow(/control character 0x7f|DEL|0x7f/);
  });
});

describe('describe() and quote()', () => {
  it('escapes C0, DEL and C1 controls and lone surrogates, and nothing else', () => {
    expect(quote('\u001f\u0020\u007e\u007f')).toBe("'\\x1f ~\\x7f'");
    expect(quote('\u0080\u009f\u00a0\u00ff')).toBe("'\\x80\\x9f\u00a0\u00ff'");
    expect(quote('\ud7ff\ud800\udfff\ue000')).toBe("'\ud7ff\\ud800\\udfff\ue000'");
    expect(describeValue('a')).toBe("'a' (string)");
  });
});

describe('errors', () => {
  it('recognises a PagiError from another copy of the package by its registered symbol', () => {
    expect(isPagiError({ [Symbol.for('pagi.error')]: true })).toBe(true);
    expect(isPagiError({ [Symbol.for('pagi.error')]: 1 })).toBe(false);
    expect(isPagiError({})).toBe(false);
    expect(isPagiError(null)).toBe(false);
    expect(isPagiError(undefined)).toBe(false);
    expect(isPagiError('PAGI_ERR_STATE')).toBe(false);
    const fn = Object.assign(() => {}, { [Symbol.for('pagi.error')]: true });
    expect(isPagiError(fn)).toBe(false);
  });

  it('sets cause only when one is given', () => {
    expect('cause' in new PagiError('X', 'm')).toBe(false);
    expect('cause' in new PagiError('X', 'm', {})).toBe(false);
    const cause = new Error('root');
    expect(new PagiError('X', 'm', { cause }).cause).toBe(cause);
  });

  it('exposes the protocol version', () => {
    expect(PAGI_VERSION).toBe('0.3');
    expect(PAGI_SPEC_VERSION).toBe('0.3');
  });
});

describe('close codes and disconnect reasons', () => {
  it('sends 1000–1003, 1007–1014, 3000–4999 and reports 1005, 1006, 1015 too', () => {
    for (const code of [1000, 1003, 1007, 1014, 3000, 4999]) {
      expect(isSendableCloseCode(code), String(code)).toBe(true);
      expect(isReportableCloseCode(code), String(code)).toBe(true);
    }
    for (const code of [1005, 1006, 1015]) {
      expect(isSendableCloseCode(code), String(code)).toBe(false);
      expect(isReportableCloseCode(code), String(code)).toBe(true);
    }
    for (const code of [999, 1004, 1016, 2999, 5000, 1000.5, '1000', null]) {
      expect(isSendableCloseCode(code), String(code)).toBe(false);
      expect(isReportableCloseCode(code), String(code)).toBe(false);
    }
  });

  it('takes the standard tokens and x- tokens only', () => {
    for (const reason of ['client_closed', 'queue_overflow', 'x-a', 'x-my_reason-2']) {
      expect(isDisconnectReason(reason), reason).toBe(true);
    }
    for (const reason of [
      '',
      'x-',
      'x-A',
      'x-a b',
      'y-a',
      ' x-a',
      'x-a ',
      'client_closedx',
      3,
      null,
      undefined,
      ['x-a'],
    ]) {
      expect(isDisconnectReason(reason), String(reason)).toBe(false);
    }
  });
});

describe('toBytes and a websocket scope without subprotocols', () => {
  it('encodes a non-empty string to UTF-8 bytes', () => {
    // The empty body is one shared array whether it came as undefined or as ''.
    expect(toBytes('')).toBe(toBytes(undefined));
    const bytes = toBytes('héllo');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBe(6);
  });

  it('offers no subprotocol when the scope has no list', () => {
    const scope = { ...webSocketScope(), subprotocols: undefined } as unknown as ReturnType<
      typeof webSocketScope
    >;
    expectPagiError(
      () => createSendValidator(scope).check({ type: 'websocket.accept', subprotocol: 'Stryker was here' }),
      VALIDATION,
      'expected one the client offered (none)',
    );
  });
});
