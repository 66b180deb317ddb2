/**
 * The two facts json-body needs from a `Content-Type` value (RFC 9110 §8.3.1): is it JSON, and
 * which charset does it name. Only the `charset` parameter is read, so no parameter map is built.
 */

/** `application/json` and every `application/*+json` (RFC 6839 §3.1), the rule of helpers' `Request.json()`. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
/** `charset=value` or `charset="value"` anywhere in the parameters, name case-insensitive. */
const CHARSET = /;\s*charset\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i;

/** true when `value` (a Content-Type header) names a JSON media type; parameters are ignored. */
export function isJsonType(value: string): boolean {
  const semi = value.indexOf(';');
  return JSON_TYPE.test((semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase());
}

/** The `charset` parameter of a Content-Type value, unquoted, or `undefined` when it has none. */
export function charsetOf(value: string): string | undefined {
  const match = CHARSET.exec(value);
  if (match === null) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

/** true for every WHATWG label of UTF-8 (`utf-8`, `UTF8`, `unicode-1-1-utf-8`, …). */
export function isUtf8Label(label: string): boolean {
  try {
    return new TextDecoder(label).encoding === 'utf-8';
  } catch {
    return false;
  }
}
