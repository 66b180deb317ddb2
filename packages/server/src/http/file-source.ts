import { fstat, read } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { PagiValidationError } from '@pagi/spec';

/** A positional reader over an open file, whoever owns it. */
export interface FileSource {
  size(): Promise<number>;
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  /** Closes the file if the server opened it; a no-op for an app-owned `fh` (§4.1.4). */
  release(): Promise<void>;
}

function fdSource(fd: number): FileSource {
  return {
    size: () =>
      new Promise((resolve, reject) => fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size)))),
    read: (buffer, length, position) =>
      new Promise((resolve, reject) =>
        read(fd, buffer, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))),
      ),
    release: async () => {},
  };
}

function handleSource(fh: FileHandle, owned: boolean): FileSource {
  return {
    size: async () => (await fh.stat()).size,
    read: async (buffer, length, position) => (await fh.read(buffer, 0, length, position)).bytesRead,
    release: owned ? () => fh.close().catch(() => {}) : async () => {},
  };
}

/**
 * Opens the `file` or wraps the `fh` of an `http.response.body` event. Rejects (so the app's
 * `send()` rejects) when the path can't be opened or the handle is closed or not a file handle.
 *
 * @example
 * const src = await openFileSource({ file: '/srv/index.html' });
 */
export async function openFileSource(event: { file?: unknown; fh?: unknown }): Promise<FileSource> {
  if (event.file !== undefined) {
    if (typeof event.file !== 'string') {
      throw new PagiValidationError(
        `http.response.body: expected file to be a path string, got ${typeof event.file}`,
      );
    }
    const fh = await open(event.file, 'r');
    return handleSource(fh, true);
  }
  const fh = event.fh;
  if (typeof fh === 'number') {
    if (!Number.isInteger(fh) || fh < 0) {
      throw new PagiValidationError(
        `http.response.body: expected fh to be an open file descriptor, got ${fh}`,
      );
    }
    const source = fdSource(fh);
    await source.size(); // EBADF surfaces here, so the send rejects before anything is written.
    return source;
  }
  if (fh !== null && typeof fh === 'object' && typeof (fh as FileHandle).read === 'function') {
    if ((fh as FileHandle).fd < 0) {
      throw new PagiValidationError(
        'http.response.body: expected fh to be an open FileHandle, got a closed one',
      );
    }
    return handleSource(fh as FileHandle, false);
  }
  throw new PagiValidationError(
    `http.response.body: expected fh to be a FileHandle or a file descriptor, got ${typeof fh}`,
  );
}

/** Reads whole-number `offset`/`length` fields of a file body. */
export function fileRange(event: { offset?: unknown; length?: unknown }): { offset: number; length: number } {
  const offset = event.offset ?? 0;
  const length = event.length ?? Number.POSITIVE_INFINITY;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new PagiValidationError(
      `http.response.body: expected offset to be an integer ≥ 0, got ${String(offset)}`,
    );
  }
  if (
    typeof length !== 'number' ||
    (length !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(length) || length < 0))
  ) {
    throw new PagiValidationError(
      `http.response.body: expected length to be an integer ≥ 0, got ${String(length)}`,
    );
  }
  return { offset, length };
}
