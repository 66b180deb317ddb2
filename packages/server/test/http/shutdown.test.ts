import type { HttpScope } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import { deferred, helloApp, rawClient, startServer } from '../helpers/start-server.js';

describe('graceful close()', () => {
  it('closes idle keep-alive connections at once and lets in-flight requests finish', async () => {
    const release = deferred();
    const entered = deferred();
    const s = await startServer(async (scope, receive, send) => {
      if ((scope as HttpScope).path === '/slow') {
        entered.resolve();
        await release.promise;
      }
      await helloApp(scope, receive, send);
    });
    const idle = await rawClient(s.port);
    idle.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.waitFor('Hello, World!');
    const busy = await rawClient(s.port);
    busy.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await entered.promise;
    let closed = false;
    const closing = s.close().then(() => {
      closed = true;
    });
    await idle.closed;
    expect(closed).toBe(false);
    release.resolve();
    const text = await busy.closed;
    expect(text).toMatch(/connection: close/i);
    expect(text).toMatch(/Hello, World!$/);
    await closing;
    expect(s.server.connectionCount).toBe(0);
    await expect(rawClient(s.port)).rejects.toThrow();
  });

  it('cuts requests still running after shutdownTimeout with reason server_shutdown', async () => {
    const reason = deferred<string>();
    const entered = deferred();
    const s = await startServer(
      async (scope) => {
        (scope as HttpScope)['pagi.connection'].on_disconnect((r) => reason.resolve(r));
        entered.resolve();
        await new Promise(() => {}); // never answers
      },
      { shutdownTimeout: 100 },
    );
    const c = await rawClient(s.port);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await entered.promise;
    await s.close();
    expect(await reason.promise).toBe('server_shutdown');
    await c.closed;
    expect(s.server.connectionCount).toBe(0);
  });

  it('is idempotent and calls shutdown() on tracked long-lived connections', async () => {
    const s = await startServer(helloApp);
    let shutdowns = 0;
    const ctx = (s.server as unknown as { ctx: { track(c: { shutdown(): void }): () => void } }).ctx;
    ctx.track({ shutdown: () => shutdowns++ });
    const a = s.close();
    const b = s.close();
    expect(a).toBe(b);
    await a;
    expect(shutdowns).toBe(1);
  });
});
