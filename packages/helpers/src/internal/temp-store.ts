import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PagiStateError } from '@pagi/spec';

/**
 * One request's spool directory. It is created on the first upload that outgrows memory, and
 * `cleanup()` removes it with every file inside, whatever state the files are in. One directory
 * per request keeps cleanup a single `rm -r`, with no list of paths to get out of sync.
 */
export class TempStore {
  readonly #root: string;
  #dir: Promise<string> | undefined;
  #count = 0;
  #cleaned = false;
  #cleaning: Promise<void> | undefined;
  readonly #onCreate: () => void;

  constructor(root: string | undefined, onCreate: () => void) {
    this.#root = root ?? tmpdir();
    this.#onCreate = onCreate;
  }

  /** A fresh path inside this request's directory (the file itself is not created). */
  async newPath(): Promise<string> {
    if (this.#cleaned) {
      // The request already ended: a new directory now would never be removed.
      throw new PagiStateError('expected a live request to spool an upload, got one already cleaned up');
    }
    if (this.#dir === undefined) {
      this.#dir = mkdtemp(join(this.#root, 'pagi-upload-'));
      this.#onCreate();
    }
    const dir = await this.#dir;
    this.#count += 1;
    return join(dir, `part-${this.#count}`);
  }

  /**
   * Removes the directory and everything in it, and refuses new spool files afterwards.
   * Concurrent and repeated calls share one removal, so every caller can await the end of it.
   */
  cleanup(): Promise<void> {
    this.#cleaned = true;
    this.#cleaning ??= this.#remove();
    return this.#cleaning;
  }

  async #remove(): Promise<void> {
    const pending = this.#dir;
    if (pending === undefined) return;
    const dir = await pending.catch(() => undefined);
    // maxRetries covers ENOTEMPTY when a spool write lands while the tree is being removed.
    if (dir !== undefined) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}
