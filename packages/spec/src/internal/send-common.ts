/**
 * Pieces every per-protocol send machine shares: reading `event.type` and the three kinds of
 * rejection. Kept apart so each machine file reads as its state diagram and nothing else.
 */
import { PagiStateError, PagiUnknownEventError, PagiValidationError } from '../errors.js';
import { describe, quote } from './describe.js';
import type { EventRecord } from './fields.js';

/**
 * Returns the event as a record once it is an object with a string `type`. A non-string type is
 * an unknown event (§12.1), not a field error: no machine could ever accept it.
 */
export function asEvent(event: unknown, scopeType: string, known: readonly string[]): EventRecord {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new PagiValidationError(`send() expected an event object, got ${describe(event)}`);
  }
  const type = (event as EventRecord).type;
  if (typeof type !== 'string') {
    throw new PagiUnknownEventError(
      `event type must be a string, got ${describe(type)}; ${scopeName(scopeType)} accepts ${known.join(', ')}`,
    );
  }
  return event as EventRecord;
}

/** `a websocket scope`, `an http scope`: the article follows the sound of the first letter. */
function scopeName(scopeType: string): string {
  return `${scopeType === 'http' || scopeType === 'sse' ? 'an' : 'a'} ${scopeType} scope`;
}

export function unknownType(
  type: string,
  scopeType: string,
  known: readonly string[],
): PagiUnknownEventError {
  return new PagiUnknownEventError(
    `unknown event type ${quote(type)} for ${scopeName(scopeType)}; expected one of ${known.join(', ')}`,
  );
}

/** §6.1: servers reject extension events they did not advertise. */
export function missingExtension(type: string, extension: string, scopeType: string): PagiUnknownEventError {
  return new PagiUnknownEventError(
    `'${type}' needs the '${extension}' extension, which this ${scopeType} scope does not advertise in scope.extensions`,
  );
}

/** `expected 'a' before 'b' (state: s)`. */
export function expectedBefore(expected: string, type: string, state: string): PagiStateError {
  return new PagiStateError(`expected ${expected} before '${type}' (state: ${state})`);
}

/** For events that can never come again in this state: `'b' is not allowed after … (state: s)`. */
export function notAllowed(type: string, why: string, state: string): PagiStateError {
  return new PagiStateError(`'${type}' is not allowed ${why} (state: ${state})`);
}
