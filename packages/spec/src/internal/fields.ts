/**
 * Field checks shared by the per-protocol send machines (protocol.md §4, §12.1). Each takes the
 * event type for the message and throws a PagiValidationError naming what was expected and
 * what came. Absent (`undefined`) optional fields always pass: unknown extra fields and
 * omitted optional ones are both fine (§2.5).
 */
import { PagiValidationError } from '../errors.js';
import { describe } from './describe.js';
import { headerListProblem } from './header-check.js';

export type EventRecord = Record<string, unknown>;

function fail(type: string, field: string, expected: string, got: unknown): never {
  throw new PagiValidationError(`'${type}' ${field}: expected ${expected}, got ${describe(got)}`);
}

/** `status`: an integer 100–599, never a numeric string (D-13). */
export function checkStatus(value: unknown, type: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) {
    fail(type, 'status', 'an integer from 100 to 599', value);
  }
}

export function checkBoolean(value: unknown, type: string, field: string): void {
  if (value !== undefined && typeof value !== 'boolean') fail(type, field, 'a boolean', value);
}

export function checkString(value: unknown, type: string, field: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string') fail(type, field, 'a string', value);
}

/** An outbound payload (D-1): bytes, or a string the server encodes as UTF-8. */
export function checkBody(value: unknown, type: string, field: string): void {
  if (value == null) return;
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    fail(type, field, 'a Uint8Array or a string', value);
  }
}

/** Protocol `Int` that must not be negative: a safe integer ≥ 0 (§2.1: no bigint). */
export function checkNonNegativeInt(value: unknown, type: string, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(type, field, 'a safe integer ≥ 0', value);
  }
}

/** Protocol `Num` that must not be negative: finite (§2.1 forbids NaN and ±Infinity) and ≥ 0. */
export function checkNonNegativeNumber(value: unknown, type: string, field: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(type, field, 'a finite number ≥ 0', value);
  }
}

/** Header byte safety runs whether or not field checks are on (§2.4 is a MUST). */
export function checkHeaders(value: unknown, type: string, strictCase: boolean): void {
  if (value === undefined) return;
  const problem = headerListProblem(value, strictCase);
  if (problem !== undefined) throw new PagiValidationError(`'${type}' header${problem}`);
}

/**
 * Finds CR or LF (and NUL when `noNul`) in an SSE `event`/`id`: one of those would end the field
 * early and let the rest of the string forge new SSE lines (protocol.md §4.4.4, MUST reject).
 */
export function checkSseLine(value: unknown, type: string, field: string, noNul: boolean): void {
  if (typeof value !== 'string') return;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || (noNul && c === 0)) {
      const what = c === 0x0a ? 'LF' : c === 0x0d ? 'CR' : 'NUL';
      throw new PagiValidationError(
        `'${type}' ${field}: expected a single line without CR, LF${noNul ? ' or NUL' : ''}, got ${what} at index ${i}`,
      );
    }
  }
}
