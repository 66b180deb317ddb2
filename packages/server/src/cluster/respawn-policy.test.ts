import { describe, expect, it } from 'vitest';
import { RespawnPolicy } from './respawn-policy.js';

describe('RespawnPolicy', () => {
  it('backs off exponentially on repeated crashes, capped', () => {
    const p = new RespawnPolicy({ baseDelay: 100, maxDelay: 1000, stableAfter: 60_000 });
    const delays = Array.from({ length: 6 }, () => {
      const d = p.onExit({ booted: true, lifetime: 10 });
      return d.action === 'respawn' ? d.delay : -1;
    });
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('a worker that lived long enough resets the streak', () => {
    const p = new RespawnPolicy({ baseDelay: 100, stableAfter: 1000 });
    p.onExit({ booted: true, lifetime: 10 });
    p.onExit({ booted: true, lifetime: 10 });
    expect(p.onExit({ booted: true, lifetime: 5000 })).toEqual({ action: 'respawn', delay: 100 });
  });

  it('gives up after consecutive boot failures, and a successful boot resets the count', () => {
    const p = new RespawnPolicy({ maxBootFailures: 3 });
    expect(p.onExit({ booted: false, lifetime: 1 }).action).toBe('respawn');
    expect(p.onExit({ booted: false, lifetime: 1 }).action).toBe('respawn');
    p.onBooted();
    expect(p.onExit({ booted: false, lifetime: 1 }).action).toBe('respawn');
    expect(p.onExit({ booted: false, lifetime: 1 }).action).toBe('respawn');
    expect(p.onExit({ booted: false, lifetime: 1 })).toEqual({ action: 'give-up', failures: 3 });
  });

  it('runtime crashes of booted workers never trigger give-up', () => {
    const p = new RespawnPolicy({ maxBootFailures: 2 });
    for (let i = 0; i < 20; i++) expect(p.onExit({ booted: true, lifetime: 1 }).action).toBe('respawn');
  });
});
