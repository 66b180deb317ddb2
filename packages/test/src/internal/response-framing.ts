import { type HeaderList, PagiValidationError } from '@pagi/spec';

const DIGITS = /^[0-9]+$/;

/**
 * The server's own checks on `http.response.start` headers that the spec validator leaves to it
 * (protocol.md §4.1.3): `content-length` must be a decimal byte count, and several of them must
 * agree. Run before the validator sees the event, so a rejected start leaves the state unchanged
 * and the app may send a corrected one, as on the server.
 *
 * @example
 * checkContentLength({ type: 'http.response.start', status: 200, headers: [['content-length', 'ten']] });
 * // throws PAGI_ERR_VALIDATION
 */
export function checkContentLength(event: unknown): void {
  const headers = (event as { headers?: unknown } | null)?.headers;
  if (!Array.isArray(headers)) return;
  let seen: string | undefined;
  for (const entry of headers as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') continue;
    if (entry[0].toLowerCase() !== 'content-length') continue;
    const value = entry[1];
    if (!DIGITS.test(value)) {
      throw new PagiValidationError(
        `http.response.start: expected content-length to be a decimal byte count, got ${JSON.stringify(value)}`,
      );
    }
    if (seen !== undefined && seen !== value) {
      throw new PagiValidationError(
        `http.response.start: expected one content-length, got ${seen} and ${value}`,
      );
    }
    seen = value;
  }
}

/**
 * The response head as a client receives it: a `transfer-encoding` the app set is dropped,
 * because framing is the server's job (protocol.md §4.1.3).
 *
 * @example
 * clientHead([['transfer-encoding', 'chunked'], ['x-a', '1']]); // [['x-a', '1']]
 */
export function clientHead(headers: HeaderList | undefined): HeaderList {
  return (headers ?? [])
    .filter(([name]) => name.toLowerCase() !== 'transfer-encoding')
    .map(([name, value]): [string, string] => [name, value]);
}
