import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type IdleOwner, IdleTimer } from './idle-timer.js';

// The timer reads the clock through clock.ts (perf_hooks' binding), which fake timers do not
// replace: route it to the global they fake.
vi.mock('./clock.js', () => ({ now: () => performance.now() }));

class Owner implements IdleOwner {
  bytes = 0;
  idleAt: number[] = [];
  progress(): number {
    return this.bytes;
  }
  onIdle(): void {
    this.idleAt.push(performance.now());
  }
}

describe('IdleTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once after a whole period without activity', () => {
    const owner = new Owner();
    const start = performance.now();
    new IdleTimer(owner, 100).start();
    vi.advanceTimersByTime(99);
    expect(owner.idleAt).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(owner.idleAt).toEqual([start + 100]);
    vi.advanceTimersByTime(1000);
    expect(owner.idleAt).toHaveLength(1);
  });

  it('counts from the last touch, re-arming for what is left', () => {
    const owner = new Owner();
    const start = performance.now();
    const idle = new IdleTimer(owner, 100);
    idle.start();
    vi.advanceTimersByTime(60);
    idle.touch();
    vi.advanceTimersByTime(60);
    idle.touch();
    vi.advanceTimersByTime(99);
    expect(owner.idleAt).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(owner.idleAt).toEqual([start + 220]);
  });

  it('restarts the period when progress moved without a touch', () => {
    const owner = new Owner();
    const start = performance.now();
    new IdleTimer(owner, 100).start();
    vi.advanceTimersByTime(50);
    owner.bytes = 7; // part of a message, no touch
    vi.advanceTimersByTime(50);
    expect(owner.idleAt).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(owner.idleAt).toEqual([start + 200]);
  });

  it('does nothing after stop()', () => {
    const owner = new Owner();
    const idle = new IdleTimer(owner, 100);
    idle.start();
    idle.stop();
    vi.advanceTimersByTime(1000);
    expect(owner.idleAt).toEqual([]);
  });
});
