/** Runs the readiness checks: all at once, each under its own timeout. */

/** A check passes when it returns (or resolves to) anything but `false`, within its timeout. */
export type HealthCheck = () => unknown | Promise<unknown>;

export interface CheckResult {
  status: 'ok' | 'error';
  duration_ms: number;
  /** Why it failed: `'timeout'`, `'returned false'`, or (with `exposeErrors`) the thrown message. */
  error?: string;
}

const TIMED_OUT = Symbol('timeout');

async function runOne(check: HealthCheck, timeoutMs: number, exposeErrors: boolean): Promise<CheckResult> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, TIMED_OUT);
  });
  let error: string | undefined;
  try {
    // `then` so a check that throws synchronously is caught like one that rejects.
    const value = await Promise.race([Promise.resolve().then(check), deadline]);
    if (value === TIMED_OUT) error = 'timeout';
    else if (value === false) error = 'returned false';
  } catch (thrown) {
    error = exposeErrors && thrown instanceof Error ? thrown.message : 'failed';
  } finally {
    clearTimeout(timer);
  }
  const duration_ms = Math.round((performance.now() - started) * 1000) / 1000;
  return error === undefined ? { status: 'ok', duration_ms } : { status: 'error', duration_ms, error };
}

/** Every check's result by name, and whether all passed. */
export async function runChecks(
  checks: ReadonlyArray<readonly [string, HealthCheck]>,
  timeoutMs: number,
  exposeErrors: boolean,
): Promise<{ ok: boolean; results: Record<string, CheckResult> }> {
  const settled = await Promise.all(checks.map(([, check]) => runOne(check, timeoutMs, exposeErrors)));
  const results: Record<string, CheckResult> = {};
  let ok = true;
  for (let i = 0; i < checks.length; i++) {
    const result = settled[i]!;
    results[checks[i]![0]] = result;
    if (result.status !== 'ok') ok = false;
  }
  return { ok, results };
}
