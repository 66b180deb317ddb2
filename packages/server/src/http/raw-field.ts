/**
 * Every value of one field in node's `rawHeaders` (`[name, value, …]`, names as sent), joined as
 * one list (RFC 9110 §5.3) with `separator`; undefined when the request has no such field.
 * `lowerName` is the field name in lowercase; the length test first keeps `toLowerCase` off
 * every other field.
 *
 * @example
 * rawFieldValue(['Upgrade', 'h2c', 'upgrade', 'websocket'], 'upgrade', ','); // 'h2c,websocket'
 */
export function rawFieldValue(raw: string[], lowerName: string, separator: string): string | undefined {
  const length = lowerName.length;
  let out: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === length && name.toLowerCase() === lowerName) {
      out = out === undefined ? raw[i + 1]! : `${out}${separator}${raw[i + 1]}`;
    }
  }
  return out;
}
