/**
 * `@pagi/spec/middleware/node`: the parts of the middleware kit that need Node's file system,
 * kept apart so `@pagi/spec/middleware` stays usable in fetch runtimes.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { read } from 'node:fs';
import { promisify } from 'node:util';
import type { FileBodyEvent } from './transform-body.js';

const readFd = promisify(read);

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
