import type { UploadedFile } from './uploaded-file.js';

/** A form value: text for ordinary fields, an {@link UploadedFile} for file parts. */
export type FormValue = string | UploadedFile;

/**
 * The parsed fields of a form, in body order. Repeated names are kept (`a=1&a=2`), so read one
 * value with `get` and all of them with `getAll`.
 *
 * @example
 * const form = await req.form();
 * form.get('name');      // 'Ada'
 * form.getAll('tag');    // ['x', 'y']
 * form.file('avatar');   // UploadedFile | undefined
 */
export class FormData implements Iterable<[string, FormValue]> {
  readonly #entries: Array<[string, FormValue]> = [];

  /** Adds a value under `name`, after any earlier ones. */
  append(name: string, value: FormValue): void {
    this.#entries.push([name, value]);
  }

  /** The first text value of `name`. */
  get(name: string): string | undefined {
    for (const [n, v] of this.#entries) if (n === name && typeof v === 'string') return v;
    return undefined;
  }

  /** Every text value of `name`, in order. */
  getAll(name: string): string[] {
    const out: string[] = [];
    for (const [n, v] of this.#entries) if (n === name && typeof v === 'string') out.push(v);
    return out;
  }

  /** The first file uploaded under `name`. */
  file(name: string): UploadedFile | undefined {
    for (const [n, v] of this.#entries) if (n === name && typeof v !== 'string') return v;
    return undefined;
  }

  /** Every file under `name`, or every file of the form when `name` is omitted. */
  files(name?: string): UploadedFile[] {
    const out: UploadedFile[] = [];
    for (const [n, v] of this.#entries) {
      if (typeof v !== 'string' && (name === undefined || n === name)) out.push(v);
    }
    return out;
  }

  /** true when `name` has at least one value of either kind. */
  has(name: string): boolean {
    return this.#entries.some(([n]) => n === name);
  }

  /** Distinct names, in first-seen order. */
  keys(): string[] {
    return [...new Set(this.#entries.map(([n]) => n))];
  }

  /** Number of values (fields and files). */
  get size(): number {
    return this.#entries.length;
  }

  /** Text fields as an object: a single value as a string, repeated names as arrays. */
  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.create(null);
    for (const [n, v] of this.#entries) {
      if (typeof v !== 'string') continue;
      const prev = out[n];
      if (prev === undefined) out[n] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else out[n] = [prev, v];
    }
    return out;
  }

  [Symbol.iterator](): Iterator<[string, FormValue]> {
    return this.#entries[Symbol.iterator]();
  }
}
