/** A slot that can sit in one {@link SlotList} (its links live on the slot itself). */
export interface ListedSlot<T extends ListedSlot<T>> {
  prevSlot: T | undefined;
  nextSlot: T | undefined;
  listed: boolean;
}

/**
 * The streams running an exchange on one HTTP/2 connection, as an intrusive doubly linked list:
 * add and delete once per stream allocate nothing and never rehash, where a `Set` grew, shrank
 * and rehashed its table as streams came and went (~400 instructions per stream, callgrind).
 * Iteration (sweeps, shutdown; not per stream) walks a snapshot and skips slots deleted meanwhile,
 * as a `Set` does.
 */
export class SlotList<T extends ListedSlot<T>> {
  size = 0;
  private head: T | undefined = undefined;

  add(slot: T): void {
    if (slot.listed) return;
    slot.listed = true;
    slot.prevSlot = undefined;
    slot.nextSlot = this.head;
    if (this.head !== undefined) this.head.prevSlot = slot;
    this.head = slot;
    this.size++;
  }

  delete(slot: T): void {
    if (!slot.listed) return;
    slot.listed = false;
    const { prevSlot, nextSlot } = slot;
    if (prevSlot === undefined) this.head = nextSlot;
    else prevSlot.nextSlot = nextSlot;
    if (nextSlot !== undefined) nextSlot.prevSlot = prevSlot;
    slot.prevSlot = undefined;
    slot.nextSlot = undefined;
    this.size--;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    const all: T[] = [];
    for (let s = this.head; s !== undefined; s = s.nextSlot) all.push(s);
    for (const s of all) if (s.listed) yield s;
  }
}
