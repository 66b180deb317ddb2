import { parseHost } from '@pagi/spec';

/** The host name of a `Host` header (spec's one `parseHost`), without port; `undefined` when malformed. */
export function hostName(header: string | undefined): string | undefined {
  return parseHost(header)?.name;
}

/** The bytes of a path or query that are not safe as they are in a `Location` value, percent-encoded. */
export function encodeUnsafe(bytes: string): string {
  // ByteStrings hold one byte per char (latin1); anything outside visible ASCII gets %XX.
  return bytes.replace(
    /[^\x21-\x7e]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}
