import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';

/**
 * One file part of a multipart form. Small files stay in memory; larger ones were spooled to a
 * temp file (`path`) that is deleted when the request is cleaned up, so move it out with
 * {@link UploadedFile.moveTo} to keep it.
 *
 * @example
 * const avatar = (await req.form()).file('avatar');
 * if (avatar) await avatar.moveTo(`/srv/avatars/${crypto.randomUUID()}`);
 */
export class UploadedFile {
  /** The form field name. */
  readonly fieldName: string;
  /** The client's file name without any directory part; may be `''`. */
  readonly filename: string;
  /** The part's Content-Type (default `application/octet-stream`). */
  readonly contentType: string;
  /** Size in bytes. */
  readonly size: number;
  #memory: Buffer | undefined;
  #path: string | undefined;

  constructor(init: {
    fieldName: string;
    filename: string;
    contentType: string;
    size: number;
    memory?: Buffer;
    path?: string;
  }) {
    this.fieldName = init.fieldName;
    this.filename = init.filename;
    this.contentType = init.contentType;
    this.size = init.size;
    this.#memory = init.memory;
    this.#path = init.path;
  }

  /** The spool file, when the upload outgrew the in-memory threshold. */
  get path(): string | undefined {
    return this.#path;
  }

  /** true when the content is held in memory rather than in a temp file. */
  get inMemory(): boolean {
    return this.#memory !== undefined;
  }

  /** The whole content. */
  async bytes(): Promise<Buffer> {
    if (this.#memory !== undefined) return this.#memory;
    if (this.#path !== undefined) return readFile(this.#path);
    return Buffer.alloc(0);
  }

  /** The content decoded as UTF-8. */
  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  /** The content as a stream, without reading a spooled file into memory. */
  stream(): Readable {
    if (this.#path !== undefined) return createReadStream(this.#path);
    return Readable.from([this.#memory ?? Buffer.alloc(0)]);
  }

  /**
   * Moves the content to `destination` (parent directories are created). A spooled file is
   * renamed, or copied when the destination is on another device; afterwards it is no longer
   * part of the request's temp directory.
   */
  async moveTo(destination: string): Promise<void> {
    await mkdir(dirname(destination), { recursive: true });
    if (this.#path === undefined) {
      await writeFile(destination, this.#memory ?? Buffer.alloc(0));
      return;
    }
    try {
      await rename(this.#path, destination);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(this.#path, destination);
      await unlink(this.#path);
    }
    this.#path = destination;
  }
}
