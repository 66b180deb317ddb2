/**
 * Short, safe renderings of arbitrary values for error messages. Messages name what came, so
 * they must never echo raw control characters (a header value with CR/LF could otherwise forge
 * log lines) nor dump a megabyte body.
 */

const MAX_QUOTED = 40;

/** Quotes a string with control characters and non-latin1 code units escaped, cut at 40 chars. */
export function quote(text: string): string {
  let out = "'";
  const end = Math.min(text.length, MAX_QUOTED);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) {
      out += `\\x${c.toString(16).padStart(2, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `\\u${c.toString(16)}`;
    } else if (c === 0x27 || c === 0x5c) {
      out += `\\${text[i]}`;
    } else {
      out += text[i];
    }
  }
  return text.length > MAX_QUOTED ? `${out}…'` : `${out}'`;
}

/** Names a value and its kind: `'200' (string)`, `NaN`, `null`, `an array of 3`, … */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return `${quote(value)} (string)`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'nothing';
    case 'bigint':
      return `${value}n (bigint)`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  return 'an object';
}
