import { type HeaderList, PagiValidationError } from '@pagi/spec';

/** Headers as a user may give them: a HeaderList, or an object of name → value(s). */
export type HeaderInit =
  | HeaderList
  | ReadonlyArray<readonly [string, string]>
  | Record<string, string | string[]>;

// RFC 9110 §5.6.2: a field name is a token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Values must not carry CR, LF or NUL (header injection), nor code units above 0xFF (D-2).
const UNSAFE_VALUE = /[\r\n\0]|[^\u0000-\u00ff]/;

/** Throws unless `name` is a token and `value` is a safe byte string; returns the lowercase name. */
export function checkHeader(name: string, value: string): string {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new PagiValidationError(
      `expected a header name made of token characters, got ${JSON.stringify(name)}`,
    );
  }
  if (typeof value !== 'string') {
    throw new PagiValidationError(`expected a string value for header '${name}', got ${typeof value}`);
  }
  if (UNSAFE_VALUE.test(value)) {
    throw new PagiValidationError(
      `expected a header value without CR, LF, NUL or characters above U+00FF for '${name}', got ${JSON.stringify(value)}`,
    );
  }
  return name.toLowerCase();
}

/** Copies `init` into a fresh, validated HeaderList with lowercase names. */
export function toHeaderList(init: HeaderInit | undefined): HeaderList {
  const out: HeaderList = [];
  if (init === undefined) return out;
  if (Array.isArray(init)) {
    for (const pair of init as ReadonlyArray<readonly [string, string]>) {
      out.push([checkHeader(pair[0], pair[1]), pair[1]]);
    }
    return out;
  }
  for (const [name, value] of Object.entries(init as Record<string, string | string[]>)) {
    for (const v of Array.isArray(value) ? value : [value]) out.push([checkHeader(name, v), v]);
  }
  return out;
}

/**
 * The first value of `name` in a HeaderList. The whole package uses the *first* value, as the
 * middleware do (toolkit-parity §8 item 2: one lookup rule everywhere).
 */
export function firstHeader(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of headers) if (n === lower) return v;
  return undefined;
}

/** Every value of `name`, in wire order. */
export function allHeaders(headers: HeaderList, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of headers) if (n === lower) out.push(v);
  return out;
}
