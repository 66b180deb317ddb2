/**
 * Bounds a wait so a missing event fails the case with a message naming what never came, well
 * before vitest's own test timeout would (and without hiding which step hung).
 *
 * @example
 * await withTimeout(probe, 3000, 'the app to report http.disconnect');
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
