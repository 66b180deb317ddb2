import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, extname, resolve, sep } from 'node:path';
import {
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
  type Validators,
} from '@pagi/spec';
import mime from 'mime-types';
import { firstHeader } from '../internal/headers.js';

/** Options of `Response.file`. */
export interface FileOptions {
  /** Serve `path` relative to this directory; a path escaping it is answered 404. */
  root?: string;
  /** `true` (use the file's name) or a file name: send `Content-Disposition: attachment`. */
  download?: boolean | string;
  /** Send a weak ETag from size and mtime and honour If-Match / If-None-Match (default true). */
  etag?: boolean;
  /** Send Last-Modified and honour If-Modified-Since / If-Unmodified-Since (default true). */
  lastModified?: boolean;
}

/**
 * Sends a file with the protocol's `file` body (the server streams it; nothing is read into
 * memory here), answering conditional and single-range requests.
 */
export async function sendFile(
  scope: HttpScope,
  send: Send<'http'>,
  status: number,
  userHeaders: HeaderList,
  path: string,
  options: FileOptions,
): Promise<void> {
  const full = await confinedPath(path, options.root);
  let info: Stats | undefined;
  if (full !== undefined) info = await stat(full).catch(() => undefined);
  if (full === undefined || info === undefined || !info.isFile()) {
    await send({
      type: 'http.response.start',
      status: 404,
      headers: [
        ['content-type', 'text/plain; charset=utf-8'],
        ['content-length', '9'],
      ],
    });
    await send({ type: 'http.response.body', body: 'Not Found' });
    return;
  }

  const size = info.size;
  const etag = fileEtag(size, info.mtimeMs);
  const lastModified = info.mtime.toUTCString();
  const headers: HeaderList = userHeaders.filter(
    ([n]) => n !== 'content-length' && n !== 'transfer-encoding',
  );
  const has = (name: string) => headers.some(([n]) => n === name);
  if (!has('content-type'))
    headers.push(['content-type', mime.contentType(extname(full)) || 'application/octet-stream']);
  if (options.etag !== false && !has('etag')) headers.push(['etag', etag]);
  if (options.lastModified !== false && !has('last-modified')) headers.push(['last-modified', lastModified]);
  if (options.download) {
    const name = typeof options.download === 'string' ? options.download : basename(full);
    headers.push(['content-disposition', contentDisposition(name)]);
  }
  headers.push(['accept-ranges', 'bytes']);

  const method = scope.method;
  const request = scope.headers;
  // The validators actually sent (an app-set ETag or Last-Modified wins over ours).
  const validators: Validators = {
    etag: firstHeader(headers, 'etag'),
    lastModified: firstHeader(headers, 'last-modified'),
  };
  // RFC 9110 §13.2.1: preconditions apply only to what would otherwise be a 2xx. Only GET/HEAD:
  // for another method the file is the outcome of processing, not the target's representation.
  const safe = method === 'GET' || method === 'HEAD';
  if (safe && status >= 200 && status < 300) {
    const outcome = evaluatePreconditions(method, requestConditions(request) ?? {}, validators);
    if (outcome === 'not-modified') {
      await send({
        type: 'http.response.start',
        status: 304,
        headers: headers.filter(([n]) => NOT_MODIFIED_HEADERS.has(n)),
      });
      await send({ type: 'http.response.body' });
      return;
    }
    if (outcome === 'precondition-failed') {
      await send({
        type: 'http.response.start',
        status: 412,
        headers: [
          ['content-type', 'text/plain; charset=utf-8'],
          ['content-length', '19'],
        ],
      });
      await send({ type: 'http.response.body', body: 'Precondition Failed' });
      return;
    }
  }

  let offset = 0;
  let length = size;
  let finalStatus = status;
  // One range at most: a file body is one slice (no multipart/byteranges); several → whole file.
  const rangeable = safe && status === 200;
  if (rangeable && ifRangeMatches(firstHeader(request, 'if-range'), validators)) {
    const range = parseRange(firstHeader(request, 'range'), size, { maxRanges: 1 });
    if (range === 'unsatisfiable') {
      // RFC 9110 §15.5.17: a 416 names the current length as `bytes */size`.
      await send({
        type: 'http.response.start',
        status: 416,
        headers: [
          ['content-range', unsatisfiedRange(size)],
          ['content-length', '0'],
        ],
      });
      await send({ type: 'http.response.body' });
      return;
    }
    if (range !== 'ignore') {
      const only = range[0]!;
      finalStatus = 206;
      offset = only.start;
      length = only.end - only.start + 1;
      headers.push(['content-range', contentRange(only, size)]);
    }
  }
  headers.push(['content-length', String(length)]);
  await send({ type: 'http.response.start', status: finalStatus, headers });
  if (method === 'HEAD' || length === 0) {
    await send({ type: 'http.response.body' });
    return;
  }
  await send({ type: 'http.response.body', file: full, offset, length });
}

/**
 * The absolute path to serve, or undefined when it escapes `root` — by `..`, or through a
 * symlink inside `root` that points outside it (both sides are resolved with realpath) — or
 * carries a NUL byte, or does not exist.
 */
async function confinedPath(path: string, root: string | undefined): Promise<string | undefined> {
  const full = resolvePath(path, root);
  if (full === undefined || root === undefined) return full;
  try {
    const [realBase, realFull] = await Promise.all([realpath(resolve(root)), realpath(full)]);
    return realFull === realBase || realFull.startsWith(realBase + sep) ? full : undefined;
  } catch {
    return undefined;
  }
}

/** The lexical check: undefined when `path` leaves `root` or carries a NUL byte. */
function resolvePath(path: string, root: string | undefined): string | undefined {
  if (path.includes('\0')) return undefined;
  if (root === undefined) return resolve(path);
  const base = resolve(root);
  const full = resolve(base, `.${sep}${path.replace(/^[/\\]+/, '')}`);
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

// RFC 6266: an ASCII fallback in `filename`, the exact name in RFC 8187 `filename*`.
function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return fallback === name
    ? `attachment; filename="${name}"`
    : `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
