import type { App } from '@pagi/spec';
import { compose, mount } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { healthcheck, healthcheckApp } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const inner: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  await send({ type: 'http.response.body', body: `app ${scope.path}` });
};

describe('healthcheck middleware', () => {
  it('answers liveness with 200 {"status":"ok"}, not cached', async () => {
    const res = await new TestClient(healthcheck()(inner)).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe('application/json');
    expect(res.header('cache-control')).toBe('no-store');
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers readiness 200 with per-check results when every async check passes', async () => {
    const app = healthcheck({
      checks: { db: async () => sleep(10), cache: () => 'PONG' },
    })(inner);
    const res = await new TestClient(app).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      checks: {
        db: { status: 'ok', duration_ms: expect.any(Number) },
        cache: { status: 'ok', duration_ms: expect.any(Number) },
      },
    });
  });

  // Upstream did not await checks: a returned Promise counted as truthy, so a rejecting async
  // check still reported healthy.
  it('awaits async checks: a rejecting one makes readiness 503 (upstream reported it healthy)', async () => {
    const app = healthcheck({
      checks: {
        db: async () => {
          await sleep(5);
          throw new Error('connection refused to 10.0.0.5:5432');
        },
        ok: async () => true,
      },
    })(inner);
    const res = await new TestClient(app).get('/health/ready');
    expect(res.status).toBe(503);
    const body = res.json() as { status: string; checks: Record<string, { status: string; error?: string }> };
    expect(body.status).toBe('error');
    expect(body.checks.db).toMatchObject({ status: 'error', error: 'failed' });
    expect(body.checks.ok!.status).toBe('ok');
    expect(res.text).not.toContain('10.0.0.5');
  });

  it('shows the thrown message only with exposeErrors, and reports false and sync throws', async () => {
    const app = healthcheck({
      exposeErrors: true,
      checks: {
        thrown: () => {
          throw new Error('disk full');
        },
        no: () => false,
      },
    })(inner);
    const body = (await new TestClient(app).get('/health/ready')).json() as {
      checks: Record<string, { error?: string }>;
    };
    expect(body.checks.thrown!.error).toBe('disk full');
    expect(body.checks.no!.error).toBe('returned false');
  });

  it('runs checks in parallel, each under checkTimeout', async () => {
    let running = 0;
    let most = 0;
    const slow = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(30);
      running--;
    };
    const app = healthcheck({
      checkTimeout: 100,
      checks: { a: slow, b: slow, hangs: () => new Promise(() => {}) },
    })(inner);
    const res = await new TestClient(app).get('/health/ready');
    expect(most).toBe(2);
    expect(res.status).toBe(503);
    const body = res.json() as {
      checks: Record<string, { status: string; error?: string; duration_ms: number }>;
    };
    expect(body.checks.hangs).toMatchObject({ status: 'error', error: 'timeout' });
    expect(body.checks.hangs!.duration_ms).toBeGreaterThanOrEqual(90);
    expect(body.checks.a!.status).toBe('ok');
  });

  it('leaves out per-check details with details: false', async () => {
    const app = healthcheck({ details: false, checks: { no: () => false } })(inner);
    const res = await new TestClient(app).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ status: 'error' });
  });

  it('takes custom paths, turns one off with false, passes other paths to the app', async () => {
    const client = new TestClient(healthcheck({ livePath: '/livez', readyPath: false })(inner));
    expect((await client.get('/livez')).status).toBe(200);
    expect((await client.get('/health/ready')).text).toBe('app /health/ready');
    expect((await client.get('/health/live')).text).toBe('app /health/live');
    expect((await client.get('/other')).text).toBe('app /other');
  });

  it('matches paths below root_path', async () => {
    const client = new TestClient(healthcheck()(inner), { rootPath: '/svc' });
    const res = await client.get('/health/live');
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers HEAD, and 405 with Allow for other methods', async () => {
    const client = new TestClient(healthcheck()(inner));
    expect((await client.head('/health/live')).status).toBe(200);
    const res = await client.post('/health/ready');
    expect(res.status).toBe(405);
    expect(res.header('allow')).toBe('GET, HEAD');
  });

  it('refuses unknown options and bad values when applied', () => {
    expect(() => healthcheck({ check: {} } as never)).toThrow(/unknown option 'check'/);
    expect(() => healthcheck({ livePath: 'health' })).toThrow(/start with '\/'/);
    expect(() => healthcheck({ checks: { db: 'up' as never } })).toThrow(/check 'db' to be a function/);
    expect(() => healthcheck({ checkTimeout: 0 })).toThrow(/checkTimeout/);
    expect(() => healthcheck({ livePath: '/h', readyPath: '/h' })).toThrow(/differ/);
  });

  it('names its functions for stack traces', () => {
    const mw = healthcheck();
    expect(mw.name).toBe('healthcheck');
    expect(mw(inner).name).toBe('healthcheck');
  });
});

describe('healthcheckApp', () => {
  it('mounts: paths relative to the mount point, 404 for the rest of its prefix', async () => {
    const app = compose(
      mount('/health', healthcheckApp({ livePath: '/live', readyPath: '/ready', checks: { x: () => true } })),
    )(inner);
    const client = new TestClient(app);
    expect((await client.get('/health/live')).json()).toEqual({ status: 'ok' });
    expect((await client.get('/health/ready')).status).toBe(200);
    expect((await client.get('/health/other')).status).toBe(404);
    expect((await client.get('/elsewhere')).text).toBe('app /elsewhere');
  });

  it('completes lifespan and refuses WebSocket connections', async () => {
    const client = new TestClient(healthcheckApp());
    await client.startup();
    await client.shutdown();
    const ws = await client.websocket('/health/live');
    expect(ws.accepted).toBe(false);
  });
});

describeMiddlewareChecks('healthcheck: the shared middleware checks of @pagi/test', healthcheck());
