/**
 * The token from a form body field, read only as far as needed: the `http.request` events read
 * while looking are kept and replayed to the inner app, so its body is intact (streamed, not
 * consumed). `application/x-www-form-urlencoded` and `multipart/form-data` only, parsed by
 * busboy; at most `limit` bytes are read while looking.
 */
import type { Receive, ReceiveEvent } from '@pagi/spec';

type HttpReceiveEvent = ReceiveEvent<'http'>;
import busboy from 'busboy';

export interface FormTokenResult {
  /** The field's value, `undefined` when absent (or `tooLarge`). */
  token: string | undefined;
  /** `true` when `limit` bytes were read without finding the field. */
  tooLarge: boolean;
  /** `receive` for the inner app: the events read here, then the rest. */
  receive: Receive<'http'>;
}

const FORM = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)\s*(?:;|$)/i;

/** `true` for a content type whose body can carry the token field. */
export function isFormBody(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM.test(contentType);
}

export async function readFormToken(
  receive: Receive<'http'>,
  headers: Record<string, string>,
  field: string,
  limit: number,
): Promise<FormTokenResult> {
  const seen: HttpReceiveEvent[] = [];
  let token: string | undefined;
  let found = false;
  let failed = false;
  let parser: busboy.Busboy;
  try {
    // One field of at most 1 KiB is all that is wanted; files are skipped (drained).
    parser = busboy({ headers, limits: { fieldSize: 1024, fieldNameSize: 256 } });
  } catch {
    return { token: undefined, tooLarge: false, receive: replay(seen, receive) };
  }
  parser.on('field', (name, value) => {
    if (!found && name === field) {
      found = true;
      token = value;
    }
  });
  parser.on('file', (_name, stream) => {
    stream.resume();
  });
  parser.on('error', () => {
    failed = true;
  });
  let read = 0;
  let more = true;
  while (!found && !failed && more && read <= limit) {
    const event = await receive();
    seen.push(event);
    if (event.type !== 'http.request') break; // a disconnect: the app sees it next
    const body = event.body ?? new Uint8Array(0);
    read += body.byteLength;
    more = event.more === true;
    const chunk = read > limit ? body.subarray(0, body.byteLength - (read - limit)) : body;
    parser.write(chunk);
    if (!more) parser.end();
    // busboy emits synchronously on write for complete fields; let it flush pending callbacks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  parser.removeAllListeners('field');
  parser.on('error', () => {});
  parser.destroy();
  return { token, tooLarge: !found && read > limit, receive: replay(seen, receive) };
}

/** The recorded events first, then the original `receive`. */
function replay(seen: HttpReceiveEvent[], receive: Receive<'http'>): Receive<'http'> {
  if (seen.length === 0) return receive;
  let index = 0;
  return async () => (index < seen.length ? (seen[index++] as HttpReceiveEvent) : receive());
}
