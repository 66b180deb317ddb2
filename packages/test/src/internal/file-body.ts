import { read as readFd } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

interface RangeSpec {
  offset?: number | undefined;
  length?: number | undefined;
}

async function readFromHandle(handle: FileHandle, range: RangeSpec): Promise<Buffer> {
  const size = (await handle.stat()).size;
  const start = Math.min(range.offset ?? 0, size);
  const length = Math.min(range.length ?? size - start, size - start);
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, start + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

function readFromFd(fd: number, range: RangeSpec): Promise<Buffer> {
  // A numeric descriptor: read from `offset` until `length` bytes or end of file.
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let position = range.offset ?? 0;
    let remaining = range.length ?? Number.POSITIVE_INFINITY;
    const step = () => {
      const size = Math.min(64 * 1024, remaining);
      if (size <= 0) return resolve(Buffer.concat(parts));
      const buffer = Buffer.alloc(size);
      readFd(fd, buffer, 0, size, position, (error, bytesRead) => {
        if (error) return reject(error);
        if (bytesRead === 0) return resolve(Buffer.concat(parts));
        parts.push(buffer.subarray(0, bytesRead));
        position += bytesRead;
        remaining -= bytesRead;
        step();
      });
    };
    step();
  });
}

/**
 * Reads what a `file`/`fh` body event puts on the wire (protocol.md §4.1.4): from `offset`, at most
 * `length` bytes, zero bytes past the end. A missing file rejects, as the server's `send()` must.
 * An `fh` stays open: the app owns it.
 */
export async function readFileBody(
  source: { file: string } | { fh: FileHandle | number },
  range: RangeSpec,
): Promise<Buffer> {
  if ('file' in source) {
    const handle = await open(source.file, 'r');
    try {
      return await readFromHandle(handle, range);
    } finally {
      await handle.close();
    }
  }
  if (typeof source.fh === 'number') return readFromFd(source.fh, range);
  return readFromHandle(source.fh, range);
}
