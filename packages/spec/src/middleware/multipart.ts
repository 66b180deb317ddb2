/**
 * The one `multipart/form-data` reader that `@pagi/helpers`' `request.form()` and the form-body
 * middleware share: busboy drives the grammar, this drives busboy — pulling body chunks only as
 * fast as the parser and the spool files take them, enforcing every limit while bytes arrive,
 * spooling large uploads to a per-request directory, and stopping at the first failure. The
 * parser is passed in (`busboy` itself), so `@pagi/spec` depends on no parser library.
 */
import { once } from 'node:events';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PagiStateError } from '../errors.js';
import { HttpError } from '../http-error.js';

/** The limits of one multipart body. Each is enforced while bytes arrive, not after. */
export interface MultipartLimits {
  /** One uploaded file, in bytes. */
  maxFileSize: number;
  /** Number of file parts. */
  maxFiles: number;
  /** Number of text fields. */
  maxFields: number;
  /** One text field value, in bytes. */
  maxFieldSize: number;
  /** Number of parts, files and fields together. */
  maxParts: number;
  /** Uploads up to this size stay in memory; larger ones are spooled to a file. */
  spoolThreshold: number;
}

/** What `busboy(config)` takes, as far as this reader uses it. */
export interface MultipartParserConfig {
  headers: { 'content-type': string };
  defParamCharset: 'utf8';
  limits: { fileSize: number; files: number; fields: number; fieldSize: number; parts: number };
}

/** The part of a busboy parser this reader drives (busboy 1.x satisfies it). */
export interface MultipartParser {
  on(
    event: 'field',
    listener: (name: string, value: string, info: { valueTruncated: boolean }) => void,
  ): this;
  on(
    event: 'file',
    listener: (name: string, stream: Readable, info: { filename?: string; mimeType: string }) => void,
  ): this;
  on(event: 'partsLimit' | 'filesLimit' | 'fieldsLimit', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  write(chunk: Uint8Array): boolean;
  end(): void;
  destroy(error?: Error): void;
}

/** One uploaded file: in memory (`bytes`) up to the spool threshold, else on disk (`path`). */
export interface SpooledFile {
  /** The client's file name without any directory part (busboy keeps only the last segment). */
  filename: string;
  /** The part's Content-Type; `application/octet-stream` when it names none. */
  contentType: string;
  size: number;
  bytes?: Buffer;
  path?: string;
}

/**
 * One request's spool directory, made on the first upload that outgrows memory. `remove()`
 * deletes it with every file inside in one `rm -r`, so there is no list of paths to get out of
 * sync; after it no new file can be made (a late spool would never be removed). File names are
 * `part-N`: the client's file name never reaches the file system.
 */
export class SpoolDir {
  readonly #root: string;
  readonly #prefix: string;
  readonly #onCreate: (() => void) | undefined;
  #dir: Promise<string> | undefined;
  #count = 0;
  #removed = false;
  #removing: Promise<void> | undefined;

  /**
   * @param root where the directory is made (default `os.tmpdir()`)
   * @param prefix the directory name's prefix, e.g. `pagi-upload-`
   * @param onCreate called once, when the directory is first asked for
   */
  constructor(root: string | undefined, prefix: string, onCreate?: () => void) {
    this.#root = root ?? tmpdir();
    this.#prefix = prefix;
    this.#onCreate = onCreate;
  }

  /** A fresh path inside this request's directory (the file itself is not created). */
  async newPath(): Promise<string> {
    if (this.#removed) {
      // The request already ended: a directory made now would never be removed.
      throw new PagiStateError('expected a live request to spool an upload, got one already ended');
    }
    if (this.#dir === undefined) {
      this.#dir = mkdtemp(join(this.#root, this.#prefix));
      this.#onCreate?.();
    }
    const dir = await this.#dir;
    this.#count += 1;
    return join(dir, `part-${this.#count}`);
  }

  /** Removes the directory and everything in it; concurrent and repeated calls share one removal. */
  remove(): Promise<void> {
    this.#removed = true;
    this.#removing ??= this.#rm();
    return this.#removing;
  }

  async #rm(): Promise<void> {
    const pending = this.#dir;
    if (pending === undefined) return;
    const dir = await pending.catch(() => undefined);
    // maxRetries covers ENOTEMPTY when a spool write lands while the tree is being removed.
    if (dir !== undefined) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** A 413 naming the limit: `expected a <what> of at most <limit> bytes, got more`. */
export function bodyTooLarge(limit: number, what = 'request body'): HttpError {
  return new HttpError(413, { detail: `expected a ${what} of at most ${limit} bytes, got more` });
}

/**
 * Reads a `multipart/form-data` body into its entries, in body order: `[name, value]` for a text
 * field, `[name, file]` for an upload. On the first failure (a limit: 413; malformed body or no
 * boundary: 400; the body source's own error, e.g. a disconnect) the parser is destroyed, the
 * rest of the body is left unread, every spool has settled, and the error is thrown; the caller
 * removes `dir`.
 *
 * @example
 * const entries = await readMultipart(busboy, contentType, chunks, limits, new SpoolDir(undefined, 'pagi-form-'));
 */
export async function readMultipart(
  createParser: (config: MultipartParserConfig) => MultipartParser,
  contentType: string,
  chunks: AsyncIterable<Uint8Array>,
  limits: MultipartLimits,
  dir: SpoolDir,
): Promise<Array<[string, string | SpooledFile]>> {
  let parser: MultipartParser;
  try {
    parser = createParser({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      // preservePath stays false (busboy's default): a file name keeps only its last segment.
      // busboy bounds each part's header block itself (2000 lines, 16 KiB: a 400 past them).
      limits: {
        fileSize: limits.maxFileSize,
        files: limits.maxFiles,
        fields: limits.maxFields,
        fieldSize: limits.maxFieldSize,
        parts: limits.maxParts,
      },
    });
  } catch (error) {
    // The content type is not echoed: it is the client's text.
    throw new HttpError(400, {
      cause: error,
      detail: 'expected a multipart/form-data content type with a boundary parameter',
    });
  }

  let failure: unknown;
  let rejectFailed: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => {});
  const fail = (error: unknown): void => {
    if (failure !== undefined) return;
    failure = error;
    rejectFailed(error);
    parser.destroy(error instanceof Error ? error : new Error(String(error)));
  };

  // Files are resolved once all are spooled, kept in body order (spools finish out of order).
  const entries: Array<[string, string | Promise<SpooledFile>]> = [];
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(bodyTooLarge(limits.maxFieldSize, `value for form field '${name}'`));
    else entries.push([name, value]);
  });
  parser.on('file', (name, stream, info) => {
    // Stop the whole parse at the first byte past the limit instead of draining the part.
    stream.once('limit', () => fail(bodyTooLarge(limits.maxFileSize, `file for form field '${name}'`)));
    const file = spool(name, stream, info, limits, dir);
    file.catch(fail);
    entries.push([name, file]);
  });
  parser.on('partsLimit', () =>
    fail(new HttpError(413, { detail: `expected at most ${limits.maxParts} form parts, got more` })),
  );
  parser.on('filesLimit', () =>
    fail(new HttpError(413, { detail: `expected at most ${limits.maxFiles} files, got more` })),
  );
  parser.on('fieldsLimit', () =>
    fail(new HttpError(413, { detail: `expected at most ${limits.maxFields} form fields, got more` })),
  );
  // busboy's messages name the grammar rule broken ("Malformed part header"), never body bytes.
  parser.on('error', (error: Error) => {
    fail(
      new HttpError(400, { detail: `expected a well-formed multipart body: ${error.message}`, cause: error }),
    );
  });
  const closed = once(parser as unknown as NodeJS.EventEmitter, 'close');
  closed.catch(() => {});

  try {
    for await (const chunk of chunks) {
      if (failure !== undefined) break;
      if (!parser.write(chunk)) {
        await Promise.race([once(parser as unknown as NodeJS.EventEmitter, 'drain'), failed]);
      }
    }
    if (failure === undefined) {
      parser.end();
      await Promise.race([closed, failed]);
    }
    const values = await Promise.race([Promise.all(entries.map(([, value]) => value)), failed]);
    if (failure !== undefined) throw failure;
    return entries.map(([name], i) => [name, values[i] as string | SpooledFile]);
  } catch (error) {
    // A failure in the body source (413, disconnect) must also stop the parser.
    fail(error);
    await Promise.allSettled(entries.map(([, value]) => value));
    throw failure;
  }
}

async function spool(
  name: string,
  stream: Readable,
  info: { filename?: string; mimeType: string },
  limits: MultipartLimits,
  dir: SpoolDir,
): Promise<SpooledFile> {
  const parts: Buffer[] = [];
  let size = 0;
  let handle: FileHandle | undefined;
  let path: string | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (handle !== undefined) {
        await handle.write(chunk);
        continue;
      }
      parts.push(chunk);
      if (size > limits.spoolThreshold) {
        path = await dir.newPath();
        // 'wx' refuses to follow a planted file or symlink; 0o600 keeps uploads private.
        handle = await open(path, 'wx', 0o600);
        for (const part of parts) await handle.write(part);
        parts.length = 0;
      }
    }
  } finally {
    await handle?.close();
  }
  // busboy stops at fileSize, marks the stream truncated and discards the rest of the part.
  if ((stream as Readable & { truncated?: boolean }).truncated) {
    throw bodyTooLarge(limits.maxFileSize, `file for form field '${name}'`);
  }
  const file: SpooledFile = {
    filename: info.filename ?? '',
    contentType: info.mimeType || 'application/octet-stream',
    size,
  };
  if (path === undefined) file.bytes = Buffer.concat(parts);
  else file.path = path;
  return file;
}
