import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, sep } from 'node:path';
import {
  type ByteRange,
  contentRange,
  evaluatePreconditions,
  fileEtag,
  type HeaderList,
  type HttpScope,
  ifRangeMatches,
  NOT_MODIFIED_HEADERS,
  parseRange,
  requestConditions,
  type Send,
  unsatisfiedRange,
} from '@pagi/spec';
import { acceptsEncoding, getHeader } from '@pagi/spec/middleware';
import { readFileBody } from '@pagi/spec/middleware/node';
import mime from 'mime-types';

/** A precompressed coding and the suffix of its sibling file. */
export type Precompressed = 'br' | 'gzip';
const SUFFIX: Record<Precompressed, string> = { br: '.br', gzip: '.gz' };

/** The options of {@link serveFile}, already validated (see `serveStatic` for the defaults). */
export interface ServeFileOptions {
  /**
   * The real path (realpath) of the directory `path` must stay inside; a path or precompressed
   * sibling whose realpath leaves it is not served. Undefined: no containment check.
   */
  realRoot?: string | undefined;
  /** Send a weak ETag (size-mtime, `fileEtag`) and honour If-Match / If-None-Match. Default true. */
  etag?: boolean;
  /** Send Last-Modified and honour If-Modified-Since / If-Unmodified-Since. Default true. */
  lastModified?: boolean;
  /** Answer Range requests (206, multipart/byteranges, 416). Default true. */
  ranges?: boolean;
  /** More (disjoint) ranges than this and the whole file is sent (parseRange). Default 16. */
  maxRanges?: number;
  /** Precompressed siblings looked for, in order of preference. Default none. */
  precompressed?: readonly Precompressed[];
  /** The `Cache-Control` value, or undefined for none. */
  cacheControl?: string | undefined;
}

/**
 * The realpath of `path`, or undefined when it does not exist or (with `realRoot`) resolves
 * outside `realRoot` — a symlink inside the root pointing elsewhere is not followed out. The
 * boundary check keeps `/srv/www-other` from passing for root `/srv/www`.
 */
export async function containedRealPath(
  path: string,
  realRoot: string | undefined,
): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return undefined;
  }
  if (realRoot === undefined) return real;
  return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
    ? real
    : undefined;
}

/** The regular file at `path` (after containment), with its stats, or undefined. */
async function regularFile(
  path: string,
  realRoot: string | undefined,
): Promise<{ real: string; info: Stats } | undefined> {
  const real = await containedRealPath(path, realRoot);
  if (real === undefined) return undefined;
  const info = await stat(real).catch(() => undefined);
  return info?.isFile() ? { real, info } : undefined;
}

const TEXT_PLAIN = 'text/plain; charset=utf-8';
/** Every answer of a precompressed-aware lookup depends on Accept-Encoding (RFC 9110 §12.5.5). */
const VARY: HeaderList = [['vary', 'Accept-Encoding']];

/**
 * Serves the regular file at `path` for a GET or HEAD request: validators and conditional
 * requests (RFC 9110 §13, `evaluatePreconditions`), byte ranges (§14, `parseRange`: single range
 * → 206 with a `file` body slice; several → multipart/byteranges streamed in chunks, since a
 * `file` body event ends the body, protocol.md §4.1.4), 416, precompressed `.br`/`.gz` siblings
 * chosen by Accept-Encoding. The bytes go out as a `file` body event, so the server streams them.
 *
 * Returns false, having sent nothing, when `path` is not a regular file (or escapes `realRoot`):
 * the caller decides between falling through and 404.
 */
export async function serveFile(
  scope: HttpScope,
  send: Send<'http'>,
  path: string,
  options: ServeFileOptions = {},
): Promise<boolean> {
  const original = await regularFile(path, options.realRoot);
  if (original === undefined) return false;
  const request = scope.headers;
  const headers: HeaderList = [
    // The original's type, also when a compressed sibling is sent (RFC 9110 §8.4).
    ['content-type', mime.contentType(extname(original.real)) || 'application/octet-stream'],
  ];
  let file = original;
  const codings = options.precompressed ?? [];
  if (codings.length > 0) {
    // The choice depends on Accept-Encoding whichever file is sent (RFC 9110 §12.5.5).
    headers.push(['vary', 'Accept-Encoding']);
    const accept = getHeader(request, 'accept-encoding');
    if (accept !== undefined) {
      for (const coding of codings) {
        if (!acceptsEncoding(accept, coding)) continue;
        const sibling = await regularFile(original.real + SUFFIX[coding], options.realRoot);
        if (sibling === undefined) continue;
        file = sibling;
        headers.push(['content-encoding', coding]);
        break;
      }
    }
  }
  const { real, info } = file;
  const size = info.size;
  const etag = options.etag === false ? undefined : fileEtag(size, info.mtimeMs);
  const lastModified = options.lastModified === false ? undefined : info.mtime.toUTCString();
  if (etag !== undefined) headers.push(['etag', etag]);
  if (lastModified !== undefined) headers.push(['last-modified', lastModified]);
  if (options.cacheControl !== undefined) headers.push(['cache-control', options.cacheControl]);
  const ranges = options.ranges !== false;
  if (ranges) headers.push(['accept-ranges', 'bytes']);

  const validators = { etag, lastModified };
  const outcome = evaluatePreconditions(scope.method, requestConditions(request) ?? {}, validators);
  if (outcome === 'not-modified') {
    await send({
      type: 'http.response.start',
      status: 304,
      headers: headers.filter(([n]) => NOT_MODIFIED_HEADERS.has(n)),
    });
    await send({ type: 'http.response.body' });
    return true;
  }
  if (outcome === 'precondition-failed') {
    await sendText(send, 412, 'Precondition Failed', codings.length > 0 ? VARY : undefined);
    return true;
  }

  const head = scope.method === 'HEAD';
  const rangeHeader = ranges ? getHeader(request, 'range') : undefined;
  if (rangeHeader !== undefined && ifRangeMatches(getHeader(request, 'if-range'), validators)) {
    const wanted = parseRange(rangeHeader, size, { maxRanges: options.maxRanges ?? 16 });
    if (wanted === 'unsatisfiable') {
      // RFC 9110 §15.5.17: the 416 names the current length.
      await send({
        type: 'http.response.start',
        status: 416,
        headers:
          codings.length > 0
            ? [['content-range', unsatisfiedRange(size)], ['content-length', '0'], VARY[0]!]
            : [
                ['content-range', unsatisfiedRange(size)],
                ['content-length', '0'],
              ],
      });
      await send({ type: 'http.response.body' });
      return true;
    }
    if (wanted !== 'ignore') {
      if (wanted.length === 1) {
        const only = wanted[0]!;
        const length = only.end - only.start + 1;
        headers.push(['content-range', contentRange(only, size)], ['content-length', String(length)]);
        await send({ type: 'http.response.start', status: 206, headers });
        await send(
          head
            ? { type: 'http.response.body' }
            : { type: 'http.response.body', file: real, offset: only.start, length },
        );
        return true;
      }
      await sendMultipart(send, headers, real, size, wanted, head);
      return true;
    }
  }
  headers.push(['content-length', String(size)]);
  await send({ type: 'http.response.start', status: 200, headers });
  await send(
    head || size === 0
      ? { type: 'http.response.body' }
      : { type: 'http.response.body', file: real, offset: 0, length: size },
  );
  return true;
}

/**
 * A multipart/byteranges 206 (RFC 9110 §14.6): each part's header as a body chunk, then the
 * range's bytes read in bounded chunks (a `file` event would end the body). Content-Length is
 * exact, computed before the first byte.
 */
async function sendMultipart(
  send: Send<'http'>,
  headers: HeaderList,
  path: string,
  size: number,
  ranges: ByteRange[],
  head: boolean,
): Promise<void> {
  const boundary = randomBytes(12).toString('hex');
  const type = headers[0]![1];
  const encoder = new TextEncoder();
  const partHeads = ranges.map((r, i) =>
    encoder.encode(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\ncontent-type: ${type}\r\ncontent-range: ${contentRange(r, size)}\r\n\r\n`,
    ),
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  let length = tail.byteLength;
  for (let i = 0; i < ranges.length; i++)
    length += partHeads[i]!.byteLength + ranges[i]!.end - ranges[i]!.start + 1;
  const out = headers.filter(([n]) => n !== 'content-type' && n !== 'content-encoding');
  // A coded sibling's parts keep their coding: the ranges are of the coded representation.
  const coding = headers.find(([n]) => n === 'content-encoding');
  if (coding !== undefined) out.push(coding);
  out.push(
    ['content-type', `multipart/byteranges; boundary=${boundary}`],
    ['content-length', String(length)],
  );
  await send({ type: 'http.response.start', status: 206, headers: out });
  if (head) {
    await send({ type: 'http.response.body' });
    return;
  }
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    await send({ type: 'http.response.body', body: partHeads[i]!, more: true });
    for await (const chunk of readFileBody({
      type: 'http.response.body',
      file: path,
      offset: r.start,
      length: r.end - r.start + 1,
    })) {
      await send({ type: 'http.response.body', body: chunk, more: true });
    }
  }
  await send({ type: 'http.response.body', body: tail });
}

/** A short plain-text answer with an exact Content-Length. */
export async function sendText(
  send: Send<'http'>,
  status: number,
  text: string,
  extra?: HeaderList,
): Promise<void> {
  const headers: HeaderList = [
    ['content-type', TEXT_PLAIN],
    ['content-length', String(Buffer.byteLength(text))],
  ];
  if (extra !== undefined) headers.push(...extra);
  await send({ type: 'http.response.start', status, headers });
  await send({ type: 'http.response.body', body: text });
}
