/**
 * `@pagi/spec/middleware/node`: the parts of the middleware kit that need Node's file system,
 * kept apart so `@pagi/spec/middleware` stays usable in fetch runtimes.
 */
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { fstat, read, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import type { FileBodyEvent } from './transform-body.js';

const readFd = promisify(read);
const fstatFd = promisify(fstat);

/**
 * The `Stats` of a `file`/`fh` body's file (never reading it), or undefined when it cannot be
 * stat'ed or is not a regular file: a middleware that only needs size or mtime (an ETag, a
 * Content-Length) leaves reporting a missing file to the server that sends the body.
 *
 * @example
 * const info = await statFileBody(event); // info?.size, info?.mtimeMs
 */
export async function statFileBody(event: FileBodyEvent): Promise<Stats | undefined> {
  try {
    const info =
      event.file !== undefined
        ? await stat(event.file)
        : typeof event.fh === 'number'
          ? await fstatFd(event.fh)
          : await (event.fh as FileHandle).stat();
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Chunk size for file bodies: bounded, so a large file never sits in memory at once. */
export const FILE_CHUNK_SIZE = 64 * 1024;

/**
 * Reads the bytes of a `file`/`fh` body event (`offset`/`length` honoured, D-9) in chunks of at
 * most {@link FILE_CHUNK_SIZE} bytes. A `file` path is opened and closed here; an `fh` belongs to
 * the app and is left open.
 *
 * @example
 * transformBody(app, scope, receive, send, begin, { readFile: readFileBody });
 */
export async function* readFileBody(event: FileBodyEvent): AsyncGenerator<Uint8Array> {
  const owned = event.file !== undefined ? await open(event.file, 'r') : undefined;
  const handle: FileHandle | number = owned ?? (event.fh as FileHandle | number);
  try {
    let position = event.offset ?? 0;
    let left = event.length ?? Number.POSITIVE_INFINITY;
    while (left > 0) {
      const buffer = Buffer.allocUnsafe(Math.min(FILE_CHUNK_SIZE, left));
      const { bytesRead } =
        typeof handle === 'number'
          ? await readFd(handle, buffer, 0, buffer.length, position)
          : await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      left -= bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await owned?.close();
  }
}

export {
  bodyTooLarge,
  type MultipartLimits,
  type MultipartParser,
  type MultipartParserConfig,
  readMultipart,
  SpoolDir,
  type SpooledFile,
} from './multipart.js';
