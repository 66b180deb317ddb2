/** Upstream failures over real sockets: refused/reset/garbage → 502, timeouts → 504, a cut body aborts the client's. */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxy } from '../src/index.js';
import { gatewayStatus } from '../src/upstream-errors.js';
import { type Backend, startBackend } from './backend.js';
import { serve } from './serve.js';

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend.close());

async function listenRaw(
  onSocket: (s: import('node:net').Socket) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(onSocket).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function through(target: string, path: string, extra: Record<string, unknown> = {}) {
  const errors: unknown[] = [];
  const app = proxy({ target, onError: (e) => errors.push(e), ...extra });
  const front = await serve(app);
  return {
    errors,
    url: front.url,
    res: () => request(`${front.url}${path}`),
    close: async () => {
      await front.close();
      await app.close();
    },
  };
}

describe('upstream failures', () => {
  it('connection refused → 502, and onError is told', async () => {
    const { server, url } = await listenRaw(() => {});
    server.close();
    await once(server, 'close');
    const p = await through(url, '/x');
    try {
      const res = await p.res();
      expect(res.statusCode).toBe(502);
      expect(await res.body.text()).toBe('Bad Gateway');
      expect((p.errors[0] as { code?: string }).code).toBe('ECONNREFUSED');
    } finally {
      await p.close();
    }
  });

  it('a reset before the response head → 502', async () => {
    const raw = await listenRaw((s) => s.resetAndDestroy());
    const p = await through(raw.url, '/x');
    try {
      expect((await p.res()).statusCode).toBe(502);
    } finally {
      await p.close();
      raw.server.close();
    }
  });

  it('a response that is not HTTP → 502', async () => {
    const raw = await listenRaw((s) => {
      s.once('data', () => s.end('garbage garbage\r\n\r\n'));
    });
    const p = await through(raw.url, '/x');
    try {
      const res = await p.res();
      expect(res.statusCode).toBe(502);
      await res.body.dump();
    } finally {
      await p.close();
      raw.server.close();
    }
  });

  it('no response head within headersTimeout → 504', async () => {
    const p = await through(backend.url, '/hang', { headersTimeout: 200 });
    try {
      const res = await p.res();
      expect(res.statusCode).toBe(504);
      expect(await res.body.text()).toBe('Gateway Timeout');
    } finally {
      await p.close();
    }
  });

  it('the backend dies mid-body → the client response is aborted, not ended cleanly, and nothing hangs', async () => {
    const p = await through(backend.url, '/die');
    try {
      const res = await p.res();
      expect(res.statusCode).toBe(200);
      await expect(res.body.text()).rejects.toThrow();
      expect(p.errors.length).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('the body goes silent past idleTimeout → the client response is aborted', async () => {
    const p = await through(backend.url, '/stall', { idleTimeout: 200 });
    try {
      const res = await p.res();
      expect(res.statusCode).toBe(200);
      await expect(res.body.text()).rejects.toThrow();
      expect((p.errors[0] as { code?: string }).code).toBe('UND_ERR_BODY_TIMEOUT');
    } finally {
      await p.close();
    }
  });

  it('a backend answering before it read the body, then closing: 413 relayed or 502 (the reset can win the race), no crash', async () => {
    const p = await through(backend.url, '/early');
    try {
      const chunk = Buffer.alloc(64 * 1024, 1);
      async function* upload() {
        for (let i = 0; i < 64; i++) yield chunk;
      }
      const res = await request(`${p.url}/early`, { method: 'POST', body: Readable.from(upload()) }).catch(
        (e: Error) => e,
      );
      if (!(res instanceof Error)) {
        expect([413, 502]).toContain(res.statusCode);
        await res.body.dump();
      }
    } finally {
      await p.close();
    }
  });

  it('maps undici timeout codes to 504 and everything else to 502', () => {
    for (const code of [
      'UND_ERR_CONNECT_TIMEOUT',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_BODY_TIMEOUT',
      'ETIMEDOUT',
    ]) {
      expect(gatewayStatus(Object.assign(new Error('x'), { code }))).toBe(504);
    }
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'HPE_INVALID_CONSTANT', undefined]) {
      expect(gatewayStatus(Object.assign(new Error('x'), { code }))).toBe(502);
    }
    expect(gatewayStatus(null)).toBe(502);
  });
});
