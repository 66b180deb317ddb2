import { PagiValidationError } from './errors.js';
import { headerListProblem } from './internal/header-check.js';
import type { HeaderList } from './types.js';

/**
 * Asserts that `value` is a {@link HeaderList} that is safe to write: an array of
 * `[name, value]` string pairs (D-13: nothing is coerced), every name an RFC 9110 token
 * (lowercase unless `strictCase` is false), every value free of CR, LF, NUL and the other
 * control characters RFC 9110 §5.5 excludes (HTAB is fine), with each code unit ≤ 0xFF (D-2).
 * `where` names one entry in the message; the index and name follow it, so
 * `where` = `'response header'` gives `response header 3 ('x-a'): …`.
 *
 * @throws PagiValidationError naming the first bad entry.
 * @example
 * validateHeaderList([['content-type', 'text/plain']], 'response header'); // passes
 * validateHeaderList([['x-a', 'a\r\nb']], 'response header');
 * // throws PAGI_ERR_VALIDATION: response header 0 ('x-a'): value must not contain CR (0x0d); found at index 1
 */
export function validateHeaderList(
  value: unknown,
  where: string,
  strictCase = true,
): asserts value is HeaderList {
  const problem = headerListProblem(value, strictCase);
  if (problem !== undefined) throw new PagiValidationError(where + problem);
}

/** Headers as a user may give them: a HeaderList, or an object of name → value(s). */
export type HeaderInit =
  | HeaderList
  | ReadonlyArray<readonly [string, string]>
  | Readonly<Record<string, string | readonly string[]>>;

/**
 * Checks one header a user supplied (any case) with the same rules as
 * {@link validateHeaderList} and returns its name lowercased.
 *
 * @throws PagiValidationError naming the header and the bad character.
 * @example
 * checkHeader('X-Trace', 'abc') // 'x-trace'
 * checkHeader('x-a', 'a\nb') // throws PAGI_ERR_VALIDATION
 */
export function checkHeader(name: string, value: string): string {
  const problem = headerListProblem([[name, value]], false);
  if (problem !== undefined) throw new PagiValidationError(`header${problem.replace(/^ 0/, '')}`);
  return name.toLowerCase();
}

/**
 * Copies `init` into a fresh, validated {@link HeaderList} with lowercase names, in the order
 * given (an object's array values become one entry each).
 *
 * @throws PagiValidationError for a name that is not a token or an unsafe value.
 * @example
 * toHeaderList({ 'Set-Cookie': ['a=1', 'b=2'] }) // [['set-cookie', 'a=1'], ['set-cookie', 'b=2']]
 */
export function toHeaderList(init: HeaderInit | undefined): HeaderList {
  const out: HeaderList = [];
  if (init === undefined) return out;
  if (Array.isArray(init)) {
    for (const pair of init as ReadonlyArray<readonly [string, string]>) {
      out.push([checkHeader(pair[0], pair[1]), pair[1]]);
    }
    return out;
  }
  for (const [name, value] of Object.entries(init as Record<string, string | readonly string[]>)) {
    if (typeof value === 'string') out.push([checkHeader(name, value), value]);
    else for (const v of value) out.push([checkHeader(name, v), v]);
  }
  return out;
}
