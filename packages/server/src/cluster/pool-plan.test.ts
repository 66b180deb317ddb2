import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PoolView, planPool, scaleDesired } from './pool-plan.js';

const view = (v: Partial<PoolView>): PoolView => ({
  desired: 2,
  ready: 2,
  booting: 0,
  replacing: false,
  stopping: false,
  ...v,
});

describe('planPool', () => {
  it('forks up to the desired count, counting booting workers and pending respawns', () => {
    expect(planPool(view({ desired: 3 }))).toEqual({ action: 'fork', count: 1 });
    expect(planPool(view({ desired: 4, ready: 1, booting: 1 }))).toEqual({ action: 'fork', count: 2 });
    expect(planPool(view({ desired: 3, booting: 1 }))).toEqual({ action: 'none' });
  });

  it('SIGTTOU while a worker boots waits for the boot, then retires one ready worker', () => {
    // TTIN (2 -> 3, one booting), TTOU 150 ms later (3 -> 2) before the new one listens.
    expect(planPool(view({ desired: 2, ready: 2, booting: 1 }))).toEqual({ action: 'none' });
    expect(planPool(view({ desired: 2, ready: 3, booting: 0 }))).toEqual({ action: 'retire', count: 1 });
  });

  it('retires nothing during a replacement (applied afterwards) and does nothing during a stop', () => {
    expect(planPool(view({ desired: 1, ready: 2, booting: 1, replacing: true }))).toEqual({ action: 'none' });
    expect(planPool(view({ desired: 1, ready: 2, replacing: false }))).toEqual({
      action: 'retire',
      count: 1,
    });
    expect(planPool(view({ desired: 5, ready: 0, stopping: true }))).toEqual({ action: 'none' });
    expect(planPool(view({ desired: 1, ready: 3, replacing: true }))).toEqual({ action: 'none' });
    // A worker missing during a replacement (a crash) is still replaced.
    expect(planPool(view({ desired: 3, ready: 1, booting: 1, replacing: true }))).toEqual({
      action: 'fork',
      count: 1,
    });
  });

  it('scaleDesired never goes below one worker', () => {
    expect(scaleDesired(2, -1)).toBe(1);
    expect(scaleDesired(1, -1)).toBeUndefined();
    expect(scaleDesired(1, 1)).toBe(2);
  });
});

/** A model of the master: counts only, with the planner applied after every event. */
type Event = 'ttin' | 'ttou' | 'boot-ok' | 'boot-fail' | 'respawn-due' | 'crash' | 'retired' | 'roll';

describe('planPool model (fast-check)', () => {
  it('never retires while booting, never forks past desired, and settles at desired', () => {
    const events = fc.array(
      fc.constantFrom<Event>(
        'ttin',
        'ttou',
        'boot-ok',
        'boot-fail',
        'respawn-due',
        'crash',
        'retired',
        'roll',
      ),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), events, (initial, script) => {
        const s = { desired: initial, ready: 0, booting: 0, pending: 0, retiring: 0, replacing: false };
        const apply = () => {
          const step = planPool({
            desired: s.desired,
            ready: s.ready,
            booting: s.booting + s.pending,
            replacing: s.replacing,
            stopping: false,
          });
          if (step.action === 'fork') {
            s.booting += step.count;
            expect(s.ready + s.booting + s.pending).toBe(s.desired);
          } else if (step.action === 'retire') {
            expect(s.booting + s.pending).toBe(0);
            expect(step.count).toBeLessThanOrEqual(s.ready);
            s.ready -= step.count;
            s.retiring += step.count;
            expect(s.ready).toBe(s.desired);
          }
        };
        apply();
        for (const e of script) {
          switch (e) {
            case 'ttin':
              s.desired = scaleDesired(s.desired, 1)!;
              break;
            case 'ttou':
              s.desired = scaleDesired(s.desired, -1) ?? s.desired;
              break;
            case 'boot-ok':
              if (s.booting > 0) [s.booting, s.ready] = [s.booting - 1, s.ready + 1];
              break;
            case 'boot-fail':
              if (s.booting > 0) [s.booting, s.pending] = [s.booting - 1, s.pending + 1];
              break;
            case 'respawn-due':
              if (s.pending > 0) s.pending -= 1;
              break;
            case 'crash':
              if (s.ready > 0) [s.ready, s.pending] = [s.ready - 1, s.pending + 1];
              break;
            case 'retired':
              if (s.retiring > 0) s.retiring -= 1;
              break;
            case 'roll':
              s.replacing = !s.replacing;
              break;
          }
          expect(s.desired).toBeGreaterThanOrEqual(1);
          apply();
        }
        // Quiesce: the replacement ends, every boot and respawn completes.
        s.replacing = false;
        for (let guard = 0; guard < 100 && (s.booting > 0 || s.pending > 0 || guard === 0); guard++) {
          s.ready += s.booting;
          s.booting = 0;
          s.pending = 0;
          apply();
        }
        expect(s.ready).toBe(s.desired);
      }),
    );
  });
});
