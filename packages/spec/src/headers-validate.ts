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
