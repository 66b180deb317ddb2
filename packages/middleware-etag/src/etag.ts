/**
 * Adds an `ETag` to 2xx responses that lack one. A body complete within `limit` bytes is held
 * (the kit's `bufferBody`) and hashed; its tag can only be known at the end, so a larger or
 * streamed-past-the-limit body goes out untouched, without a tag, rather than being held whole.
 * A `file`/`fh` body is never read: it gets a weak tag from its size and mtime (a `stat`), like
 * nginx, in the format `Response.file` uses (`fileEtag` from `@pagi/spec`).
 */
// Imported, not the global: node's global `Buffer` is a getter, a call per use.
import { Buffer } from 'node:buffer';
import { getHashes, hash } from 'node:crypto';
import {
  fileEtag,
  hasHeader,
  type HeaderList,
  type HttpResponseStartEvent,
  type Middleware,
  PagiValidationError,
  setHeader,
} from '@pagi/spec';
import {
  type BufferBodyOptions,
  type BufferedResponse,
  bufferBody,
  concatHeader,
  defineMiddleware,
  type FileBodyEvent,
  HeaderListMemo,
} from '@pagi/spec/middleware';
import { statFileBody } from '@pagi/spec/middleware/node';

export interface EtagOptions {
  /** Send `W/"…"` (weak) instead of a strong tag for hashed bodies. Default `false`. */
  weak?: boolean;
  /** Bodies up to this many bytes are held and hashed; larger ones stream on untagged. Default 1 MiB. */
  limit?: number;
  /** The `node:crypto` hash algorithm. Default `'sha1'` (a change detector, not a security check). */
  algorithm?: string;
  /** Tag `file`/`fh` bodies from their size and mtime (a stat, never a read). Default `true`. */
  files?: boolean;
}

/** The longest string body whose tag is remembered (a comparison stays far cheaper than a hash). */
const MEMO_LENGTH = 4096;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['weak', 'limit', 'algorithm', 'files']);

/** Only 2xx responses without an ETag are held; all others stream from the first event. */
function skip(start: HttpResponseStartEvent): boolean {
  return (
    start.status < 200 ||
    start.status > 299 ||
    (start.headers !== undefined && hasHeader(start.headers, 'etag'))
  );
}

/**
 * The start's headers plus `etag`: `skip` let only starts without one through, so the tag is
 * appended to a shallow copy made at its size (the app's list is left as it was).
 */
function withEtag(headers: HeaderList, tag: string): HeaderList {
  return concatHeader(headers, ['etag', tag]);
}

/** The weak tag of a file body, from a stat; undefined when the file cannot be stat'ed. */
async function fileTag(event: FileBodyEvent): Promise<string | undefined> {
  const info = await statFileBody(event);
  if (info === undefined) return undefined; // the server reports a missing file when it sends it
  const tag = fileEtag(info.size, info.mtimeMs);
  const offset = event.offset ?? 0;
  const length = event.length ?? info.size - offset;
  if (offset === 0 && length === info.size) return tag;
  // A slice is another representation: its tag names the slice too.
  return `${tag.slice(0, -1)}-${offset.toString(16)}-${length.toString(16)}"`;
}

async function tagFile(start: HttpResponseStartEvent, event: FileBodyEvent): Promise<HeaderList | undefined> {
  const tag = await fileTag(event);
  return tag === undefined ? undefined : setHeader(start.headers ?? [], 'etag', tag);
}

/**
 * Adds an ETag to 2xx responses without one: a hash of a body complete within `limit` bytes,
 * or a weak size+mtime tag for a file body. Pair it with `conditionalGet()` (outside it) to
 * answer 304s.
 *
 * @throws PagiValidationError for an unknown option or a bad value (when applied).
 * @example
 * const app = compose(conditionalGet(), etag({ weak: true }))(router.app);
 */
export function etag(options: EtagOptions = {}): Middleware {
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`etag(): unknown option '${key}'`);
  }
  const { weak = false, limit = 1024 * 1024, algorithm = 'sha1', files = true } = options;
  if (typeof weak !== 'boolean')
    throw new PagiValidationError(`etag(): expected weak to be a boolean, got ${weak}`);
  if (typeof files !== 'boolean')
    throw new PagiValidationError(`etag(): expected files to be a boolean, got ${files}`);
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new PagiValidationError(`etag(): expected limit to be a whole number of bytes ≥ 0, got ${limit}`);
  }
  if (typeof algorithm !== 'string' || !getHashes().includes(algorithm.toLowerCase())) {
    throw new PagiValidationError(`etag(): unknown hash algorithm '${algorithm}' (see crypto.getHashes())`);
  }
  const prefix = weak ? 'W/"' : '"';
  // The last string body up to MEMO_LENGTH characters and its tag. Strings are immutable, so an
  // equal string has the same bytes and the same tag: a route sending the same text again (a
  // fixed page, a health answer) is tagged with one comparison instead of a hash, and the
  // server sees the same tag string (its header checks remember it). Bytes are always hashed:
  // a Uint8Array can change between responses.
  let memoBody: string | undefined;
  let memoTag = '';
  // The remembered body's tag and the last headers it went out with, and the list made of them:
  // the same headers and body again get the same list from a comparison per field, no copy. A
  // freshly hashed body is tagged without it (a tag per body would only miss).
  const listMemo = new HeaderListMemo<HeaderList>([]);
  let listTag = '';
  // Built once: no per-request closures beyond the kit's own.
  const finish = (start: HttpResponseStartEvent, body: Uint8Array | string): BufferedResponse => {
    let tag: string;
    const headers = start.headers;
    if (typeof body === 'string' && body === memoBody) {
      tag = memoTag;
      // The remembered body again: its list too, when the headers are the same.
      if (headers !== undefined) {
        if (tag !== listTag || !listMemo.matches(headers)) {
          listTag = tag;
          listMemo.remember(headers, withEtag(headers, tag));
        }
        return { status: start.status, headers: listMemo.result, body };
      }
    } else {
      // One-shot `crypto.hash` (Node ≥ 20.12): no Hash object per response, which costs more than
      // hashing a small body. A string body (`keepString`) is hashed as its UTF-8 bytes, as the
      // server sends it, without encoding a copy here.
      const digest = hash(algorithm, body, 'base64url');
      const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      tag = `${prefix}${length.toString(16)}-${digest}"`;
      if (typeof body === 'string' && body.length <= MEMO_LENGTH) {
        memoBody = body;
        memoTag = tag;
      }
    }
    return {
      status: start.status,
      headers: headers === undefined ? [['etag', tag]] : withEtag(headers, tag),
      body,
    };
  };
  const bufferOptions: BufferBodyOptions & { keepString: true } = files
    ? { limit, skip, onFile: tagFile, keepString: true }
    : { limit, skip, keepString: true };
  return defineMiddleware('etag', {
    http: (scope, receive, send, app) => bufferBody(app, scope, receive, send, bufferOptions, finish),
  });
}
