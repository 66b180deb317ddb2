import { Agent, request } from 'undici';

export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  pids: Set<number>;
}

/**
 * A separate client keeping `concurrency` requests in flight against `url` (keep-alive, as a real
 * client would) until `stop()` is called or `maxRequests` were sent. Every request either
 * succeeds (status 200 and the expected body) or counts as failed.
 */
export function startLoad(
  url: string,
  options: { concurrency?: number; maxRequests?: number; path?: string } = {},
) {
  // A stuck request fails after 10 s instead of hanging the test.
  const agent = new Agent({
    connections: options.concurrency ?? 8,
    keepAliveTimeout: 10_000,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const result: LoadResult = { ok: 0, failed: 0, errors: [], pids: new Set() };
  const max = options.maxRequests ?? 20_000;
  let sent = 0;
  let running = true;
  const loop = async () => {
    while (running && sent < max) {
      sent += 1;
      try {
        const res = await request(`${url}${options.path ?? '/'}`, { dispatcher: agent });
        const body = await res.body.text();
        const m = body.match(/^hello (\d+)$/);
        if (res.statusCode === 200 && m) {
          result.ok += 1;
          result.pids.add(Number(m[1]));
        } else {
          result.failed += 1;
          result.errors.push(`status ${res.statusCode}: ${body.slice(0, 80)}`);
        }
      } catch (error) {
        result.failed += 1;
        result.errors.push(String((error as Error).message));
      }
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 8 }, loop);
  const done = Promise.all(loops).then(() => result);
  return {
    result,
    /** resolves once at least `n` more requests succeeded */
    async waitForOk(n: number, timeoutMs = 40_000): Promise<void> {
      const target = result.ok + n;
      const deadline = Date.now() + timeoutMs;
      while (result.ok < target) {
        if (Date.now() > deadline)
          throw new Error(
            `load: only ${result.ok}/${target} ok; errors: ${result.errors.slice(0, 3).join('; ')}`,
          );
        if (!running || sent >= max) throw new Error('load finished before the target');
        await new Promise((r) => setImmediate(r));
      }
    },
    async stop(): Promise<LoadResult> {
      running = false;
      await done;
      await agent.close();
      return result;
    },
  };
}
