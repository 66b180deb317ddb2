import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTransportState } from './transport-state.js';

class FakeWritable extends EventEmitter {
  writableLength = 0;
}

describe('createTransportState', () => {
  it('fires on_high_water on the rising edge, on_drain after it, then re-arms', async () => {
    const w = new FakeWritable();
    const t = createTransportState(w, 100, 20);
    const log: string[] = [];
    t.on_high_water(() => log.push('high'));
    t.on_drain(() => log.push('drain'));
    w.writableLength = 50;
    t.afterWrite();
    expect(log).toEqual([]);
    w.writableLength = 120;
    t.afterWrite();
    t.afterWrite();
    expect(log).toEqual(['high']);
    let released = false;
    const wait = t.waitForRoom().then(() => {
      released = true;
    });
    w.writableLength = 0;
    w.emit('drain');
    await wait;
    expect(released).toBe(true);
    expect(log).toEqual(['high', 'drain']);
    w.writableLength = 100;
    t.afterWrite();
    expect(log).toEqual(['high', 'drain', 'high']);
  });

  it('fires on_high_water at once when registered above the mark, and never on_drain on registration', () => {
    const w = new FakeWritable();
    const t = createTransportState(w, 10, 5);
    let drains = 0;
    t.on_drain(() => drains++);
    w.writableLength = 11;
    let highs = 0;
    t.on_high_water(() => highs++);
    expect(highs).toBe(1);
    expect(drains).toBe(0);
    expect(t.buffered_amount()).toBe(11);
    expect(t.high_water_mark()).toBe(10);
    expect(t.low_water_mark()).toBe(5);
  });

  it('returns the shared resolved promise below the mark and releases waiters on close', async () => {
    const w = new FakeWritable();
    const t = createTransportState(w, 10, 5);
    expect(t.waitForRoom()).toBe(t.waitForRoom());
    w.writableLength = 50;
    const wait = t.waitForRoom();
    w.emit('close');
    await wait;
    expect(t.buffered_amount()).toBe(0);
  });

  it('alternates high and drain callbacks for any sequence of writes and drains (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(-1)), { maxLength: 60 }),
        (steps) => {
          const w = new FakeWritable();
          const t = createTransportState(w, 100, 20);
          const log: string[] = [];
          t.on_high_water(() => log.push('h'));
          t.on_drain(() => log.push('d'));
          for (const step of steps) {
            if (step === -1) {
              w.writableLength = 0;
              w.emit('drain');
            } else {
              w.writableLength = step;
              t.afterWrite();
            }
          }
          // Edge-triggered hysteresis: h, d, h, d, … never two of a kind in a row, starting with h.
          for (let i = 0; i < log.length; i++) expect(log[i]).toBe(i % 2 === 0 ? 'h' : 'd');
        },
      ),
    );
  });
});
