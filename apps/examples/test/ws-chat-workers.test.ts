/**
 * The chat example under `pagi-server --workers 2` on a real Redis: a message from a WebSocket
 * client on one worker reaches a client on the other worker, and an SSE subscriber (sse-pubsub on
 * the same channel layer) gets it too.
 */
import { join } from 'node:path';
import { describeWithRedis, freePort, type RedisProcess, startRedis } from '@pagi/test/redis';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bundleApp, bundleCli, type RunningCli, runCli } from './support/cli.js';

type Json = Record<string, unknown>;

/** A ws client that collects JSON messages and waits for one of a type. */
async function chatClient(url: string) {
  const ws = new WebSocket(url);
  const messages: Json[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Json);
    for (const waiter of [...waiters]) waiter();
  });
  const waitFor = (test: (m: Json) => boolean, what: string) =>
    new Promise<Json>((resolve, reject) => {
      const check = () => {
        const found = messages.find(test);
        if (found) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what}; got ${JSON.stringify(messages)}`));
      }, 20_000);
      waiters.add(check);
      check();
    });
  const welcome = await waitFor((m) => m.type === 'welcome', 'welcome');
  return { ws, welcome, waitFor };
}

describeWithRedis('ws-chat example on pagi-server --workers 2 with Redis', () => {
  let redis: RedisProcess;
  let server: RunningCli | undefined;
  let base: string;

  beforeAll(async () => {
    redis = await startRedis();
    const [cli, app] = await Promise.all([
      bundleCli(),
      bundleApp(join(import.meta.dirname, 'fixtures/workers-app.mjs')),
    ]);
    const port = await freePort();
    server = await runCli(
      cli,
      ['--workers', '2', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn', app],
      {
        REDIS_URL: redis.url,
      },
    );
    base = `127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await redis?.kill();
  });

  it('carries a message from a client on one worker to a client on the other, and to an SSE stream', async () => {
    // Connect until two clients sit on different workers (the master hands connections round-robin).
    const clients: Awaited<ReturnType<typeof chatClient>>[] = [];
    let pair: [(typeof clients)[number], (typeof clients)[number]] | undefined;
    for (let i = 0; i < 20 && !pair; i++) {
      const client = await chatClient(`ws://${base}/ws`);
      const other = clients.find((c) => c.welcome.worker !== client.welcome.worker);
      clients.push(client);
      if (other) pair = [other, client];
    }
    expect(pair, 'two clients on two different workers').toBeDefined();
    const [sender, receiver] = pair!;
    expect(typeof sender.welcome.worker).toBe('number');
    expect(sender.welcome.worker).not.toBe(receiver.welcome.worker);

    // The SSE subscriber, on whichever worker the master picks.
    const sse = await request(`http://${base}/events`, { headers: { accept: 'text/event-stream' } });
    expect(sse.statusCode).toBe(200);
    let text = '';
    const reader = sse.body[Symbol.asyncIterator]();
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.next();
        if (done) throw new Error(`SSE stream ended: ${text}`);
        text += String(value);
      }
    };

    sender.ws.send(JSON.stringify({ type: 'message', message: 'across workers' }));
    const got = await receiver.waitFor((m) => m.type === 'message', 'message');
    expect(got).toMatchObject({
      room: 'lobby',
      message: 'across workers',
      user_id: sender.welcome.user_id,
      username: sender.welcome.username,
    });
    await readUntil('across workers');
    const data = /data: (.*across workers.*)\n/.exec(text)?.[1];
    expect(JSON.parse(data ?? 'null')).toMatchObject({ type: 'message', message: 'across workers' });

    sse.body.destroy();
    for (const client of clients) client.ws.close();
  }, 120_000);
});
