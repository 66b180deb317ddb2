/**
 * Whether maintenance is on: a boolean, a function asked on every request, or a file whose
 * existence is checked at most once per `FILE_CHECK_MS`, so a probe storm costs one `stat` a
 * second, not one per request.
 */
import { stat } from 'node:fs/promises';

export const FILE_CHECK_MS = 1000;

export type MaintenanceSwitch = () => boolean | Promise<boolean>;

/** A switch on a file's existence; concurrent requests share one pending `stat`. */
export function fileSwitch(
  path: string,
  now: () => number = performance.now.bind(performance),
): MaintenanceSwitch {
  let checkedAt = Number.NEGATIVE_INFINITY;
  let on = false;
  let pending: Promise<boolean> | undefined;
  return () => {
    if (now() - checkedAt < FILE_CHECK_MS) return on;
    pending ??= stat(path)
      .then(
        () => true,
        () => false,
      )
      .then((exists) => {
        on = exists;
        checkedAt = now();
        pending = undefined;
        return exists;
      });
    return pending;
  };
}
