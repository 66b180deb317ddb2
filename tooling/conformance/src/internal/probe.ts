import { withTimeout } from './with-timeout.js';

/** How long a case waits for the app to report what it saw. */
const PROBE_TIMEOUT_MS = 4000;

/**
 * A one-shot channel from the app under test to the test: the app (which runs in this process
 * on both transports) reports what it observed; the test awaits it.
 *
 * @example
 * const seen = createProbe<string>();
 * // in the app: seen.report(scope.path)
 * expect(await seen.value('the scope path')).toBe('/');
 */
export interface Probe<T> {
  report(value: T): void;
  value(what: string): Promise<T>;
}

export function createProbe<T>(): Probe<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return {
    report: (value) => resolve(value),
    value: (what) => withTimeout(promise, PROBE_TIMEOUT_MS, what),
  };
}

/** A gate the test opens to let the app go on (e.g. after reading the first streamed chunk). */
export function createGate(): { open(): void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { open, wait };
}
