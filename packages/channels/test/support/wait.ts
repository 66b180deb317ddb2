/**
 * Polls `condition` every 5 ms (after running `refresh`, for conditions read from elsewhere) until
 * it holds; throws after `timeout` (generous: the machine is shared).
 */
export async function waitFor(
  condition: () => boolean,
  what: string,
  timeout = 10_000,
  refresh?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    await refresh?.();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
