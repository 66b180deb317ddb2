import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One request's spool directory, created on the first upload that outgrows memory. `remove()`
 * deletes it with every file inside in one `rm -r`, so there is no list of paths to get out of
 * sync; after it, no new file can be made (a late spool would otherwise never be removed).
 * File names are `part-N`: the client's file name never reaches the file system.
 */
export class TempDir {
  readonly #root: string;
  #dir: Promise<string> | undefined;
  #count = 0;
  #removed = false;
  #removing: Promise<void> | undefined;

  constructor(root: string | undefined) {
    this.#root = root ?? tmpdir();
  }

  /** A fresh path inside this request's directory (the file itself is not created). */
  async newPath(): Promise<string> {
    if (this.#removed) throw new Error('the request ended before its upload was spooled');
    this.#dir ??= mkdtemp(join(this.#root, 'pagi-form-'));
    const dir = await this.#dir;
    this.#count += 1;
    return join(dir, `part-${this.#count}`);
  }

  /** Removes the directory and everything in it; repeated calls share one removal. */
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
