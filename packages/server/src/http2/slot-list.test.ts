import { describe, expect, it } from 'vitest';
import { type ListedSlot, SlotList } from './slot-list.js';

class Node implements ListedSlot<Node> {
  prevSlot: Node | undefined = undefined;
  nextSlot: Node | undefined = undefined;
  listed = false;
  constructor(readonly id: number) {}
}

describe('SlotList', () => {
  it('adds, deletes (head, middle, tail, twice) and counts like a Set', () => {
    const list = new SlotList<Node>();
    const nodes = [0, 1, 2, 3, 4].map((i) => new Node(i));
    for (const n of nodes) list.add(n);
    list.add(nodes[0]!); // already listed: no change
    expect(list.size).toBe(5);
    list.delete(nodes[4]!); // head (newest)
    list.delete(nodes[2]!); // middle
    list.delete(nodes[0]!); // tail
    list.delete(nodes[0]!); // not listed: no change
    expect(list.size).toBe(2);
    expect([...list].map((n) => n.id).sort()).toEqual([1, 3]);
    list.add(nodes[0]!);
    expect([...list].map((n) => n.id).sort()).toEqual([0, 1, 3]);
  });

  it('skips a slot deleted during iteration, and survives deleting the current one', () => {
    const list = new SlotList<Node>();
    const nodes = [0, 1, 2].map((i) => new Node(i));
    for (const n of nodes) list.add(n);
    const seen: number[] = [];
    for (const n of list) {
      seen.push(n.id);
      list.delete(n);
      if (n.id === 2) list.delete(nodes[1]!);
    }
    expect(seen).toEqual([2, 0]);
    expect(list.size).toBe(0);
  });
});
