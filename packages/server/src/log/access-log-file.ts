import { closeSync, openSync, write } from 'node:fs';
import { Writable } from 'node:stream';

/** Mode of a newly created access log: owner read/write, group read (client addresses and URLs are not for everyone). */
export const ACCESS_LOG_FILE_MODE = 0o640;

/**
 * The access log file of `--access-log-file`: appended to (`O_APPEND`), reopened by path on
 * `reopen()` (SIGUSR1, as nginx does) so `logrotate` can rename it away and get a fresh file.
 *
 * Every process that serves requests (the single process, or each worker) has its own instance on
 * the same path. Each batch of lines goes out in one `write(2)` on an `O_APPEND` descriptor: the
 * kernel positions and writes it atomically with respect to the other processes' appends on a
 * local filesystem, so lines from different workers never interleave mid-line and no IPC hop to
 * the master is added to each request. (Not on NFS, which has no atomic append.)
 *
 * Write errors (disk full, I/O error) never reach the server: they are reported once through
 * `onError` and the lines are dropped, so a logging problem cannot take the server down.
 *
 * @example
 * const log = new AccessLogFile('/var/log/app/access.log', (e) => console.error(e.message));
 * process.on('SIGUSR1', () => log.reopen());
 */
export class AccessLogFile extends Writable {
  readonly path: string;
  #fd: number;
  #closed = false;
  #writing = false;
  /** Descriptors replaced by `reopen()` while a write on them was in flight. */
  #retired: number[] = [];
  readonly #onError: (error: Error) => void;
  #reported = false;

  /** Opens (creating with mode 0640) `path` for appending; throws if it cannot (startup fails). */
  constructor(path: string, onError: (error: Error) => void = () => {}) {
    super({ decodeStrings: true });
    this.path = path;
    this.#onError = onError;
    this.#fd = openSync(path, 'a', ACCESS_LOG_FILE_MODE);
  }

  /**
   * Opens the path again and sends further lines there; lines already queued go to the old file.
   * Throws (keeping the old file) when the path cannot be opened.
   */
  reopen(): void {
    if (this.#closed) return;
    const next = openSync(this.path, 'a', ACCESS_LOG_FILE_MODE);
    const old = this.#fd;
    this.#fd = next;
    if (this.#writing) this.#retired.push(old);
    else closeQuietly(old);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.#append(chunk, done);
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    done: (error?: Error | null) => void,
  ): void {
    // Lines queued while the previous write ran leave together, in one append.
    this.#append(Buffer.concat(chunks.map((c) => c.chunk)), done);
  }

  #append(data: Buffer, done: (error?: Error | null) => void): void {
    this.#writing = true;
    const fd = this.#fd;
    const finish = (error: Error | null) => {
      this.#writing = false;
      for (const old of this.#retired.splice(0)) closeQuietly(old);
      if (error !== null && !this.#reported) {
        this.#reported = true;
        this.#onError(error);
      }
      done();
    };
    const step = (offset: number) => {
      write(fd, data, offset, data.length - offset, null, (error, written) => {
        if (error !== null) finish(error);
        else if (offset + written < data.length) step(offset + written);
        else finish(null);
      });
    };
    step(0);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#close();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#close();
    done(error);
  }

  /** Once only: closing a number twice could close a descriptor reused by someone else. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#writing) closeQuietly(this.#fd);
    else this.#retired.push(this.#fd);
  }
}

/** The `accessLogFile` of these options opened for this process, or undefined when there is none. */
export function openAccessLog(
  options: { accessLogFile: string | null },
  log: (line: string) => void,
): AccessLogFile | undefined {
  const path = options.accessLogFile;
  if (path === null) return undefined;
  return new AccessLogFile(path, (error) =>
    log(`access log ${path}: ${error.message}; lines are dropped until it can be written again`),
  );
}

/** Flushes what is queued and closes the file; resolves at once for none (or already closed). */
export function closeAccessLog(file: AccessLogFile | undefined): Promise<void> {
  if (file === undefined || file.writableEnded) return Promise.resolve();
  return new Promise((resolve) => file.end(() => resolve()));
}

/**
 * SIGUSR1 in a process that writes the access log: reopen it, and say so (or why not) in the
 * server log. A failed reopen keeps the old file.
 */
export function reopenAccessLog(
  file: AccessLogFile | undefined,
  log: (line: string) => void,
  who: string,
): void {
  if (file === undefined) {
    log(`${who}: SIGUSR1 ignored: no --access-log-file to reopen`);
    return;
  }
  try {
    file.reopen();
    log(`${who}: SIGUSR1: access log ${file.path} reopened`);
  } catch (error) {
    log(
      `${who}: SIGUSR1: cannot reopen the access log, still writing to the old file: ${(error as Error).message}`,
    );
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
