/**
 * The master's worker-count state machine, as pure functions so every interleaving of signals,
 * boots, crashes and restarts can be tested without processes.
 *
 * State (counted by the master from its worker records):
 * - `desired`: how many workers should run (`--workers`, then ±1 per SIGTTIN/SIGTTOU, never < 1);
 * - `ready`: listening and not retiring;
 * - `booting`: forked but not yet listening, plus crash respawns waiting out their backoff;
 * - `replacing`: a rolling restart (SIGHUP) or a recycle replacement is running;
 * - `stopping`: graceful stop in progress.
 *
 * Invariants the planner keeps:
 * 1. A worker is retired only once nothing is booting. A booting worker cannot be asked to drain
 *    (its IPC handler may not exist yet, so the `retire` message would be lost and the worker
 *    would serve on until SIGKILLed), and a booting worker may still fail, so picking a victim
 *    early could leave too few.
 * 2. Nothing is retired while a replacement runs: the replacement forks one and retires one
 *    itself, and counting its extra worker as surplus would retire the wrong one. A SIGTTOU made
 *    meanwhile is applied once it ends. Forks still happen when workers are missing (a crash
 *    during a long rolling restart is respawned); the replacement's extra worker counts, so a
 *    SIGTTIN during a replacement forks once the replaced worker has gone.
 * 3. Forks are capped so that ready + booting never exceeds `desired` because of the planner.
 */

export interface PoolView {
  desired: number;
  ready: number;
  booting: number;
  replacing: boolean;
  stopping: boolean;
}

export type PoolStep =
  | { action: 'none' }
  | { action: 'fork'; count: number }
  | { action: 'retire'; count: number };

/**
 * What the master should do now to move toward `desired` workers. Called after every event
 * (signal, worker ready, worker exit, respawn timer, end of a replacement).
 *
 * @example
 * planPool({ desired: 2, ready: 2, booting: 1, replacing: false, stopping: false }) // { action: 'none' } (wait for the boot)
 * planPool({ desired: 2, ready: 3, booting: 0, replacing: false, stopping: false }) // { action: 'retire', count: 1 }
 */
export function planPool(v: PoolView): PoolStep {
  if (v.stopping) return { action: 'none' };
  const have = v.ready + v.booting;
  if (have < v.desired) return { action: 'fork', count: v.desired - have };
  if (v.booting > 0 || v.replacing) return { action: 'none' };
  if (v.ready > v.desired) return { action: 'retire', count: v.ready - v.desired };
  return { action: 'none' };
}

/** SIGTTIN / SIGTTOU: the new desired count, or `undefined` when the change is refused (below 1). */
export function scaleDesired(desired: number, by: 1 | -1): number | undefined {
  const next = desired + by;
  return next < 1 ? undefined : next;
}
