/**
 * Just enough DER (X.690) reading to find a certificate's subject Name: tag, length and the
 * content bounds of one element. Only definite lengths exist in DER, so indefinite ones are errors.
 */

export interface DerElement {
  tag: number;
  /** offset of the first content byte */
  start: number;
  /** offset one past the last content byte */
  end: number;
  /** offset of the tag byte (so the whole TLV is `bytes.subarray(header, end)`) */
  header: number;
}

/** Reads the element that begins at `offset`. Throws a RangeError on truncated or malformed input. */
export function readDer(bytes: Uint8Array, offset: number): DerElement {
  if (offset + 2 > bytes.length) throw new RangeError(`DER: need a tag and length at ${offset}`);
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new RangeError('DER: multi-byte tags are not used in certificate names');
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new RangeError(`DER: unsupported length-of-length ${count}`);
    if (start + count > bytes.length) throw new RangeError('DER: truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new RangeError(`DER: element at ${offset} runs past the end`);
  return { tag, start, end, header: offset };
}

/** The child elements of a constructed element (SEQUENCE, SET, context tags). */
export function derChildren(bytes: Uint8Array, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let at = parent.start;
  while (at < parent.end) {
    const child = readDer(bytes, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** Dotted-decimal text of an OBJECT IDENTIFIER's content bytes (X.690 §8.19). */
export function decodeOid(bytes: Uint8Array, el: DerElement): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = el.start; i < el.end; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  return parts.join('.');
}
