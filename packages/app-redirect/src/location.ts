/**
 * The one check a redirect target passes before it becomes a `Location` header: no control
 * characters (CR/LF would split the header: response splitting, RFC 9112 §4), and, for a target
 * computed from the request, no protocol-relative start (`//evil.example`, `/\evil.example`,
 * which browsers treat as another host: an open redirect).
 */
import { PagiValidationError } from '@pagi/spec';

// C0 controls, DEL and the C1 range: never valid in a header value, whatever the encoding.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Browsers read `//host`, `/\host` and `\\host` as "another host, same scheme".
const OTHER_HOST = /^[/\\]{2}/;

/** Why `target` cannot be a Location, or undefined when it can. */
export function locationProblem(target: unknown, derived: boolean): string | undefined {
  if (typeof target !== 'string' || target === '')
    return `expected a non-empty string, got ${JSON.stringify(target)}`;
  if (CONTROL.test(target))
    return `expected no control characters (CR, LF, NUL, …), got ${JSON.stringify(target)}`;
  if (derived && OTHER_HOST.test(target))
    return `expected a path or an absolute URL, got the protocol-relative ${JSON.stringify(target)} (open redirect)`;
  return undefined;
}

/** `target` ready for the header: non-ASCII characters percent-encoded as UTF-8 (RFC 3986 §2.1). */
export function toLocation(target: string): string {
  return target.replace(/[^\u0020-\u007e]+/g, (s) => encodeURI(s)).replace(/ /g, '%20');
}

export function checkLocation(target: unknown, derived: boolean, name: string): string {
  const problem = locationProblem(target, derived);
  if (problem !== undefined) throw new PagiValidationError(`${name}: ${problem}`);
  return toLocation(target as string);
}

/**
 * `target` with the request's raw query appended (`?` or `&`), before any `#fragment`. The query
 * is a ByteString (one byte per char): bytes outside visible ASCII are percent-encoded as they
 * are, so nothing from the request line can reach the header unescaped.
 */
export function withQuery(target: string, query: string): string {
  const encoded = query.replace(
    /[^\x21-\x7e]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  const hash = target.indexOf('#');
  const base = hash === -1 ? target : target.slice(0, hash);
  const fragment = hash === -1 ? '' : target.slice(hash);
  return `${base}${base.includes('?') ? '&' : '?'}${encoded}${fragment}`;
}
