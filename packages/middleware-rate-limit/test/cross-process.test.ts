/**
 * Two `@pagi/server` processes with the same limiter on one Redis: a limit of N is enforced across
 * both, because every hit is one atomic script on the shared Redis.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describeWithRedis, type RedisProcess, startRedis } from '@pagi/test/redis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bundleFixture } from '@pagi/tsconfig/bundle-fixture';

const LIMIT = 10;

function ready(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server process sent no ready within 20 s')), 20_000);
    child.once('message', (message: { op: string; url: string }) => {
      clearTimeout(timer);
      resolve(message.url);
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

describeWithRedis('two server processes on one Redis', () => {
  let redis: RedisProcess;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    const bundle = await bundleFixture(fileURLToPath(new URL('./fixtures/server.ts', import.meta.url)), {
      packageRoot: fileURLToPath(new URL('..', import.meta.url)),
      external: ['ioredis', 'ws'],
    });
    for (let i = 0; i < 2; i++) {
      const child = fork(bundle, [redis.url, String(LIMIT)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
    }
    urls.push(...(await Promise.all(children.map(ready))));
  }, 60_000);
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null) continue;
      const exited = once(child, 'exit');
      child.send({ op: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await redis?.kill();
  });

  const hit = async (url: string, key: string) => {
    const res = await fetch(url, { headers: { 'x-key': key } });
    return { status: res.status, pid: await res.text(), remaining: res.headers.get('ratelimit-remaining') };
  };

  test(`a limit of ${LIMIT} holds across both processes (requests alternating between them)`, async () => {
    const results = [];
    for (let i = 0; i < LIMIT + 4; i++) results.push(await hit(urls[i % 2]!, 'alternating'));
    expect(results.map((r) => r.status)).toEqual([...Array(LIMIT).fill(200), 429, 429, 429, 429]);
    // Both processes served allowed requests, and each counted down the one shared quota.
    expect(new Set(results.slice(0, LIMIT).map((r) => r.pid)).size).toBe(2);
    expect(results.slice(0, LIMIT).map((r) => r.remaining)).toEqual(
      Array.from({ length: LIMIT }, (_, i) => String(LIMIT - 1 - i)),
    );
  }, 30_000);

  test(`concurrent requests to both processes: exactly ${LIMIT} of ${3 * LIMIT} get through`, async () => {
    const results = await Promise.all(
      Array.from({ length: 3 * LIMIT }, (_, i) => hit(urls[i % 2]!, 'burst')),
    );
    const allowed = results.filter((r) => r.status === 200);
    expect(allowed).toHaveLength(LIMIT);
    expect(results.filter((r) => r.status === 429)).toHaveLength(2 * LIMIT);
    // Each remaining count was handed out once: no two hits took the same token.
    expect(new Set(allowed.map((r) => r.remaining)).size).toBe(LIMIT);
  }, 30_000);
});
