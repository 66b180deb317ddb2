/**
 * The header-list check without the error: it returns `undefined` for a safe list and
 * otherwise the tail of the message. Callers add the prefix only when something is wrong, so a
 * valid list costs no string building at all (this runs inside every `send()` with headers).
 */
import { describe, quote } from './describe.js';
import { TCHAR } from './token.js';

/** A readable name for one code unit, safe to print. */
function codeName(c: number): string {
  if (c === 0x0d) return 'CR (0x0d)';
  if (c === 0x0a) return 'LF (0x0a)';
  if (c === 0x00) return 'NUL (0x00)';
  if (c === 0x20) return 'a space (0x20)';
  if (c > 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  if (c > 0xff) return `U+${c.toString(16).toUpperCase().padStart(4, '0')} (above 0xff, not a byte)`;
  if (c >= 0x80) return `byte 0x${c.toString(16)}`;
  return `control character 0x${c.toString(16).padStart(2, '0')}`;
}

function nameProblem(name: string, strictCase: boolean): string | undefined {
  if (name.length === 0) return "expected a non-empty header name, got ''";
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] !== 1) {
      return `expected the name to be an RFC 9110 token, got ${codeName(c)} at index ${i}`;
    }
    if (strictCase && c >= 0x41 && c <= 0x5a) {
      return `expected a lowercase header name, got uppercase '${name[i]}' at index ${i}`;
    }
  }
  return undefined;
}

/**
 * RFC 9110 §5.5 allows HTAB, SP, visible ASCII and obs-text (0x80–0xFF) in a field value. CR, LF
 * and NUL are the injection risks the spec names (§2.4); the other controls and DEL are refused
 * too because Node's own header writer throws on them, and a PAGI error beats a crash there.
 * Code units above 0xFF cannot be one byte each, so they break the byte-string rule (D-2).
 */
function valueProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) {
      return `value must not contain ${codeName(c)}; found at index ${i}`;
    }
  }
  return undefined;
}

/** `undefined` when `value` is a safe header list, else e.g. ` 3 ('x-a'): value must not …`. */
export function headerListProblem(value: unknown, strictCase: boolean): string | undefined {
  if (!Array.isArray(value)) return ` list: expected an array of [name, value] pairs, got ${describe(value)}`;
  for (let i = 0; i < value.length; i++) {
    const pair: unknown = value[i];
    if (!Array.isArray(pair) || pair.length !== 2)
      return ` ${i}: expected a [name, value] pair, got ${describe(pair)}`;
    const name: unknown = pair[0];
    const text: unknown = pair[1];
    if (typeof name !== 'string') return ` ${i}: expected the name to be a string, got ${describe(name)}`;
    const problem =
      nameProblem(name, strictCase) ??
      (typeof text === 'string'
        ? valueProblem(text)
        : `expected the value to be a string, got ${describe(text)}`);
    if (problem !== undefined) return ` ${i} (${quote(name)}): ${problem}`;
  }
  return undefined;
}
