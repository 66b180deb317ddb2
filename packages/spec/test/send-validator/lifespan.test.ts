import { describe, expect, it } from 'vitest';
import {
  createSendValidator,
  type SendValidator,
  type UnsupportedScopeError,
  type Scope,
} from '../../src/index.js';
import { expectPagiError, STATE, UNKNOWN, VALIDATION } from '../fixtures/expect-error.js';
import { lifespanScope } from '../fixtures/scopes.js';

function after(...events: object[]): SendValidator {
  const v = createSendValidator(lifespanScope());
  for (const e of events) v.check(e);
  return v;
}

const startupComplete = { type: 'lifespan.startup.complete' } as const;
const startupFailed = { type: 'lifespan.startup.failed', message: 'no database' } as const;
const shutdownComplete = { type: 'lifespan.shutdown.complete' } as const;
const shutdownFailed = { type: 'lifespan.shutdown.failed', message: 'pool leaked' } as const;

describe('lifespan send validator', () => {
  it.each([
    [startupComplete, shutdownComplete],
    [startupComplete, shutdownFailed],
    [startupFailed, shutdownComplete],
    [startupFailed, shutdownFailed],
  ])('goes startup-pending → running → finished via %o and %o', (first, second) => {
    const v = createSendValidator(lifespanScope());
    expect([v.state, v.finished]).toEqual(['startup-pending', false]);
    expect(v.check(first)).toBe('send');
    expect([v.state, v.finished]).toEqual(['running', false]);
    expect(v.check(second)).toBe('send');
    expect([v.state, v.finished]).toEqual(['finished', true]);
  });

  it('accepts failed replies without a message', () => {
    expect(after().check({ type: 'lifespan.startup.failed' })).toBe('send');
  });

  it.each([
    [
      'shutdown before startup',
      () => after(),
      shutdownComplete,
      /^expected 'lifespan.startup.complete' or 'lifespan.startup.failed' before 'lifespan.shutdown.complete' \(state: startup-pending\)$/,
    ],
    ['failed shutdown before startup', () => after(), shutdownFailed, /before 'lifespan.shutdown.failed'/],
    [
      'a second startup reply',
      () => after(startupComplete),
      startupFailed,
      /after startup was answered \(state: running\)/,
    ],
    [
      'startup after shutdown',
      () => after(startupComplete, shutdownComplete),
      startupComplete,
      /state: finished/,
    ],
    [
      'a second shutdown reply',
      () => after(startupComplete, shutdownComplete),
      shutdownFailed,
      /after shutdown was answered/,
    ],
  ])('%s → PagiStateError', (_name, make, event, message) => {
    const v = make();
    const state = v.state;
    expectPagiError(() => v.check(event), STATE, message);
    expect(v.state).toBe(state);
  });

  it.each([
    [{ type: 'lifespan.startup' }],
    [{ type: 'lifespan.shutdown' }],
    [{ type: 'lifespan.startup.completed' }],
    [{ type: 'http.response.start', status: 200 }],
  ])('%o → PagiUnknownEventError', (event) => {
    expectPagiError(
      () => after().check(event),
      UNKNOWN,
      /for a lifespan scope; expected one of lifespan.startup.complete/,
    );
  });

  it('rejects a non-string message, and not with fields: false', () => {
    const v = after();
    expectPagiError(
      () => v.check({ ...startupFailed, message: 1 }),
      VALIDATION,
      /message: expected a string, got 1/,
    );
    expect(v.state).toBe('startup-pending');
    const loose = createSendValidator(lifespanScope(), { fields: false });
    expect(loose.check({ ...startupFailed, message: 1 })).toBe('send');
  });
});

describe('createSendValidator', () => {
  it('throws UnsupportedScopeError for an unknown scope type', () => {
    expectPagiError(
      () => createSendValidator({ type: 'mqtt' } as unknown as Scope),
      'PAGI_ERR_UNSUPPORTED_SCOPE',
      /unsupported scope type 'mqtt'/,
    );
    try {
      createSendValidator({ type: 'mqtt' } as unknown as Scope);
    } catch (error) {
      expect((error as UnsupportedScopeError).scopeType).toBe('mqtt');
    }
  });
});
