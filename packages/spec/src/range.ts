/**
 * Byte ranges (RFC 9110 §14): parses `Range: bytes=…` against a representation of known size.
 * Pure; shared by `@pagi/helpers`' file response and the middleware packages.
 */

/** A byte range, inclusive at both ends (RFC 9110 §14.1.2), within the representation. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ParseRangeOptions {
  /**
   * More range-specs than this (after merging overlaps) and the header is ignored, so the whole
   * representation is sent (RFC 9110 §14.2 lets a server ignore a Range; many small ranges are a
   * known amplification trick). Default 16. Use 1 for a server without multipart/byteranges.
   */
  maxRanges?: number;
}

/**
 * What the Range header asks for:
 * - `'ignore'`: absent, another unit, malformed, or more than `maxRanges` ranges — send the whole
 *   representation with 200;
 * - `'unsatisfiable'`: well formed, but no range has a byte inside the representation — send 416
 *   with `Content-Range: bytes *\/size` ({@link unsatisfiedRange});
 * - a list of satisfiable ranges, clamped to the end, sorted by start, overlapping and adjacent
 *   ones merged (RFC 9110 §14.2 allows coalescing), so at most `maxRanges` disjoint ranges.
 */
export type RangeResult = ByteRange[] | 'ignore' | 'unsatisfiable';

const BYTES_UNIT = /^\s*bytes\s*=/i;
const RANGE_SPEC = /^\s*(\d*)\s*-\s*(\d*)\s*$/;
/** Bound on how many comma-separated members are even looked at, whatever maxRanges is. */
const MAX_SPECS = 1000;

/**
 * Parses a `Range` header against a representation of `size` bytes (RFC 9110 §14.1.2):
 * `first-last`, open `first-`, suffix `-n`, comma-separated.
 *
 * @example
 * parseRange('bytes=0-99', 1000)       // [{ start: 0, end: 99 }]
 * parseRange('bytes=-100', 1000)       // [{ start: 900, end: 999 }]
 * parseRange('bytes=0-9,5-19', 1000)   // [{ start: 0, end: 19 }]   (merged)
 * parseRange('bytes=2000-', 1000)      // 'unsatisfiable'
 */
export function parseRange(
  header: string | undefined,
  size: number,
  options?: ParseRangeOptions,
): RangeResult {
  if (header === undefined) return 'ignore';
  const unit = BYTES_UNIT.exec(header);
  if (unit === null) return 'ignore';
  const maxRanges = options?.maxRanges ?? 16;
  const members = header.slice(unit[0].length).split(',', MAX_SPECS + 1);
  if (members.length > MAX_SPECS) return 'ignore';
  const ranges: ByteRange[] = [];
  let specs = 0;
  for (const member of members) {
    // §5.6.1: empty list elements are allowed and do not count.
    if (member.trim() === '') continue;
    const m = RANGE_SPEC.exec(member);
    if (m === null) return 'ignore';
    const first = m[1]!;
    const last = m[2]!;
    if (first === '' && last === '') return 'ignore';
    specs++;
    if (first === '') {
      // Suffix range: the last n bytes; `-0` asks for no byte, so it is not satisfiable.
      const n = Number(last);
      if (n > 0 && size > 0) ranges.push({ start: Math.max(0, size - n), end: size - 1 });
      continue;
    }
    const start = Number(first);
    // §14.1.1: last < first makes the whole ranges-specifier invalid (ignored), not unsatisfiable.
    if (last !== '' && Number(last) < start) return 'ignore';
    if (start >= size) continue;
    ranges.push({ start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) });
  }
  if (specs === 0) return 'ignore';
  if (ranges.length === 0) return 'unsatisfiable';
  const merged = mergeRanges(ranges);
  return merged.length > maxRanges ? 'ignore' : merged;
}

/** Sorts by start and merges overlapping or adjacent ranges (the input is not kept). */
function mergeRanges(ranges: ByteRange[]): ByteRange[] {
  if (ranges.length === 1) return ranges;
  ranges.sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [ranges[0]!];
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i]!;
    const prev = out[out.length - 1]!;
    if (r.start <= prev.end + 1) {
      if (r.end > prev.end) prev.end = r.end;
    } else {
      out.push(r);
    }
  }
  return out;
}

/** The `Content-Range` value of a 206 part: `bytes start-end/size`. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** The `Content-Range` value of a 416 (RFC 9110 §15.5.17): `bytes *\/size`. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
