/**
 * The number of requests a worker serves before it is recycled: `maxRequests` plus a uniform
 * random offset in [-jitter, +jitter], so workers started together do not all restart together.
 * 0 means unlimited. Never below 1 when a limit is set.
 *
 * @example
 * requestBudget(1000, 50); // somewhere in 950..1050
 */
export function requestBudget(
  maxRequests: number,
  jitter: number,
  random: () => number = Math.random,
): number {
  if (maxRequests <= 0) return 0;
  const offset = jitter > 0 ? Math.round((random() * 2 - 1) * jitter) : 0;
  return Math.max(1, maxRequests + offset);
}
