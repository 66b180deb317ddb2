/**
 * A one-entry memo for a header edit whose result depends only on a list's pairs (plus a small
 * key its caller compares itself, such as a status). Apps send the same few header lists over and
 * over (a constant `[['content-type', 'text/plain']]`, and the same layers' edits stacked on it),
 * so an edit's checks and the new list it makes are done once per distinct list instead of once
 * per response: a hit is a few comparisons per pair, no allocation.
 *
 * A list matches when it holds the very same pair objects, in the same order, and each still has
 * the name and value it had when remembered. So a result may share pairs with the list it was
 * made from (as `concatHeaders` does): on a hit those pairs are the ones the caller passed, with
 * the same contents. The result must not be the given list itself (whose owner may change it and
 * pass another list with the same pairs); return it without remembering.
 *
 * The remembered result is handed out again, so one list object goes out with many responses, as
 * an app's constant list does. That is safe for the reason an app's constant list is: a list
 * handed on is never written into (the kit's editing functions return new lists).
 */
import type { Header } from '../types.js';

/**
 * Remembers the pairs of one header list (each with its name and value) and the result made
 * from it.
 *
 * @example
 * const memo = new HeaderListMemo<HeaderList>([]);
 * const edit = (headers: HeaderList) =>
 *   memo.matches(headers) ? memo.result : memo.remember(headers, concatHeader(headers, X_A));
 */
export class HeaderListMemo<R> {
  /** The result remembered with the last list (`initial` until the first `remember`). */
  result: R;
  /** The remembered pairs, flat: pair, its name, its value, pair, name, value… */
  private readonly fields: unknown[] = [];
  /** The remembered list's length; -1 before the first `remember`. */
  private size = -1;

  constructor(initial: R) {
    this.result = initial;
  }

  /**
   * true when `list` holds the same pairs, in the same order, as the list last remembered, and
   * each pair still has the name and value it had then.
   */
  matches(list: readonly Header[]): boolean {
    const n = list.length;
    if (n !== this.size) return false;
    const fields = this.fields;
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const pair = list[i]!;
      if (pair !== fields[j] || pair[0] !== fields[j + 1] || pair[1] !== fields[j + 2]) return false;
    }
    return true;
  }

  /** Remembers `list`'s pairs, names and values with `result`, and returns `result`. */
  remember(list: readonly Header[], result: R): R {
    const n = list.length;
    const fields = this.fields;
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const pair = list[i]!;
      fields[j] = pair;
      fields[j + 1] = pair[0];
      fields[j + 2] = pair[1];
    }
    this.size = n;
    this.result = result;
    return result;
  }
}
