/** A byte range, inclusive at both ends (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a Range header against a representation of `size` bytes.
 * - `'ignore'`: absent, not `bytes=`, malformed, or several ranges (served whole: RFC 9110
 *   §14.2 lets a server ignore Range, and a whole 200 is simpler than multipart/byteranges);
 * - `'unsatisfiable'`: well formed, but no byte of it exists (416);
 * - a {@link ByteRange}: one satisfiable range, clamped to the end of the file.
 *
 * @example
 * parseRange('bytes=0-99', 1000)  // { start: 0, end: 99 }
 * parseRange('bytes=-100', 1000)  // { start: 900, end: 999 }
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'ignore' | 'unsatisfiable' {
  if (header === undefined) return 'ignore';
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return 'ignore';
  const specs = m[1]!.split(',').filter((s) => s.trim() !== '');
  if (specs.length !== 1) return 'ignore';
  const spec = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(specs[0]!);
  if (!spec) return 'ignore';
  const [, first, last] = spec;
  if (first === '' && last === '') return 'ignore';
  if (first === '') {
    // Suffix range: the last N bytes. `-0` asks for nothing, so it cannot be satisfied.
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  // RFC 9110 §14.1.1: last < first makes the spec invalid (ignored), not unsatisfiable.
  if (last !== '' && Number(last) < start) return 'ignore';
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Number(last);
  return { start, end: Math.min(end, size - 1) };
}
