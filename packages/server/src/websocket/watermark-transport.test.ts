import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WatermarkTransport } from './watermark-transport.js';

class FakeWritable extends EventEmitter {
  writableLength = 0;
}

describe('WatermarkTransport', () => {
  it('fires on_high_water once per cycle and on_drain only after a high → low transition', async () => {
    const source = new FakeWritable();
    const transport = new WatermarkTransport(source, 100, 10);
    const events: string[] = [];
    transport.on_high_water(() => events.push('high'));
    transport.on_drain(() => events.push('drain'));
    expect(events).toEqual([]);
    source.writableLength = 150;
    const wait = transport.waitForRoom();
    expect(events).toEqual(['high']);
    expect(transport.buffered_amount()).toBe(150);
    // A second wait in the same cycle does not fire high again.
    void transport.waitForRoom();
    expect(events).toEqual(['high']);
    source.writableLength = 50;
    source.emit('drain'); // still above low: nothing is released
    expect(events).toEqual(['high']);
    source.writableLength = 0;
    source.emit('drain');
    await wait;
    expect(events).toEqual(['high', 'drain']);
    expect(source.listenerCount('drain')).toBe(0);
  });

  it('fires a late on_high_water at once when already high; resolves waiters on close', async () => {
    const source = new FakeWritable();
    const transport = new WatermarkTransport(source, 100, 10);
    source.writableLength = 100;
    const wait = transport.waitForRoom();
    let fired = 0;
    transport.on_high_water(() => fired++);
    expect(fired).toBe(1);
    source.emit('close');
    await wait;
    expect(transport.buffered_amount()).toBe(0);
    expect(await transport.waitForRoom()).toBeUndefined();
  });

  it('recheck() releases waiters without a drain once the queue is at or below low', async () => {
    // A compressed WebSocket frame leaves ws's deflate queue without the socket ever backing up.
    const source = new FakeWritable();
    const transport = new WatermarkTransport(source, 100, 10);
    const events: string[] = [];
    transport.on_drain(() => events.push('drain'));
    transport.recheck(); // not high: nothing to do
    source.writableLength = 100;
    let released = false;
    const wait = transport.waitForRoom().then(() => {
      released = true;
    });
    source.writableLength = 11;
    transport.recheck();
    await Promise.resolve();
    expect(released).toBe(false);
    source.writableLength = 10;
    transport.recheck();
    await wait;
    expect(events).toEqual(['drain']);
    expect(source.listenerCount('drain')).toBe(0);
  });

  it('resolves at once below the mark, and reports its marks', async () => {
    const transport = new WatermarkTransport(new FakeWritable(), 64, 16);
    expect(transport.high_water_mark()).toBe(64);
    expect(transport.low_water_mark()).toBe(16);
    expect(transport.waitForRoom()).toBe(transport.waitForRoom());
  });
});
