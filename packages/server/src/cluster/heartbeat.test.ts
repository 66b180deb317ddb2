import { describe, expect, it } from 'vitest';
import { HeartbeatMonitor, startHeartbeat } from './heartbeat.js';

describe('HeartbeatMonitor', () => {
  it('reports a worker silent for longer than the timeout, once', () => {
    let now = 0;
    const stale: number[] = [];
    const m = new HeartbeatMonitor(
      1000,
      (id) => stale.push(id),
      () => now,
    );
    m.beat(1);
    m.beat(2);
    now = 900;
    m.beat(2);
    m.check();
    expect(stale).toEqual([]);
    now = 1500;
    m.check();
    expect(stale).toEqual([1]);
    m.check();
    expect(stale).toEqual([1]);
    now = 2000;
    m.check();
    expect(stale).toEqual([1, 2]);
  });

  it('forgets workers that exited', () => {
    let now = 0;
    const stale: number[] = [];
    const m = new HeartbeatMonitor(
      10,
      (id) => stale.push(id),
      () => now,
    );
    m.beat(7);
    m.forget(7);
    now = 100;
    m.check();
    expect(stale).toEqual([]);
  });

  it('a timeout of 0 turns the worker side off', () => {
    let sent = 0;
    const stop = startHeartbeat(0, () => sent++);
    stop();
    expect(sent).toBe(0);
  });

  it('the worker side beats at once', () => {
    let sent = 0;
    const stop = startHeartbeat(50_000, () => sent++);
    stop();
    expect(sent).toBe(1);
  });
});
