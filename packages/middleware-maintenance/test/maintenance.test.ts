import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { maintenance } from '../src/index.js';
import { fileSwitch } from '../src/switch.js';

const inner: App = async (scope, receive, send) => {
  if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
    return;
  }
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200 });
  await send({ type: 'http.response.body', body: 'app' });
};

const SECRET = 'correct-horse-battery-staple';

describe('maintenance', () => {
  it('answers 503 with Retry-After and an HTML page, not cached', async () => {
    const res = await new TestClient(maintenance()(inner)).get('/', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(503);
    expect(res.header('retry-after')).toBe('120');
    expect(res.header('cache-control')).toBe('no-store');
    expect(res.header('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<h1>Down for maintenance</h1>');
  });

  it('answers JSON or text when Accept prefers it; message is HTML-escaped in the page', async () => {
    const client = new TestClient(maintenance({ message: 'Back at <b>5</b>', retryAfter: 30 })(inner));
    const json = await client.get('/', { headers: { accept: 'application/json' } });
    expect(json.json()).toEqual({ error: { status: 503, message: 'Back at <b>5</b>' } });
    expect(json.header('retry-after')).toBe('30');
    expect((await client.get('/', { headers: { accept: 'text/plain' } })).text).toBe('Back at <b>5</b>\n');
    expect((await client.get('/')).text).toContain('Back at &lt;b&gt;5&lt;/b&gt;');
  });

  it('sends no Retry-After with retryAfter: false', async () => {
    const res = await new TestClient(maintenance({ retryAfter: false })(inner)).get('/');
    expect(res.header('retry-after')).toBeUndefined();
  });

  it('is off with enabled: false, and asks an enabled function per request (async too)', async () => {
    expect((await new TestClient(maintenance({ enabled: false })(inner)).get('/')).text).toBe('app');
    let on = false;
    const client = new TestClient(maintenance({ enabled: async () => on })(inner));
    expect((await client.get('/')).status).toBe(200);
    on = true;
    expect((await client.get('/')).status).toBe(503);
  });

  it('lets allowed IPv4 and IPv6 clients through by CIDR (upstream matched IPv4 only)', async () => {
    const mw = maintenance({ allow: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] });
    const from = (host: string) => new TestClient(mw(inner), { client: [host, 1234] }).get('/');
    expect((await from('10.20.30.40')).status).toBe(200);
    expect((await from('::ffff:10.1.1.1')).status).toBe(200);
    expect((await from('2001:db8:0:1::5')).status).toBe(200);
    expect((await from('192.0.2.7')).status).toBe(200);
    expect((await from('192.0.2.8')).status).toBe(503);
    expect((await from('2001:db9::1')).status).toBe(503);
    expect((await from('11.0.0.1')).status).toBe(503);
  });

  it('lets a request with the header secret through, and only the exact secret', async () => {
    const client = new TestClient(
      maintenance({ secret: { header: 'X-Maintenance-Bypass', value: SECRET } })(inner),
    );
    expect((await client.get('/', { headers: { 'x-maintenance-bypass': SECRET } })).status).toBe(200);
    expect((await client.get('/', { headers: { 'x-maintenance-bypass': `${SECRET}x` } })).status).toBe(503);
    expect((await client.get('/', { headers: { 'x-maintenance-bypass': SECRET.slice(0, -1) } })).status).toBe(
      503,
    );
    expect((await client.get('/')).status).toBe(503);
  });

  it('declines WebSocket and SSE too (upstream let them through)', async () => {
    const client = new TestClient(maintenance()(inner), { extensions: { 'websocket.http.response': {} } });
    const ws = await client.websocket('/ws');
    expect(ws.denial?.status).toBe(503);
    const sse = await client.sse('/events');
    expect(sse.status).toBe(503);
  });

  it('follows a file’s existence, checked at most once per second', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pagi-maint-'));
    const flag = join(dir, 'on');
    try {
      let clock = 0;
      const isOn = fileSwitch(flag, () => clock);
      expect(await isOn()).toBe(false);
      await writeFile(flag, '');
      clock = 500;
      expect(await isOn()).toBe(false); // cached: checked 500 ms ago
      clock = 1000;
      expect(await isOn()).toBe(true);
      await unlink(flag);
      clock = 1999;
      expect(await isOn()).toBe(true);
      clock = 2000;
      expect(await isOn()).toBe(false);

      await writeFile(flag, '');
      const res = await new TestClient(maintenance({ file: flag })(inner)).get('/');
      expect(res.status).toBe(503);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('shares one pending stat between concurrent requests', async () => {
    let clock = 0;
    const isOn = fileSwitch('/nonexistent/pagi-flag', () => clock);
    const a = isOn();
    const b = isOn();
    expect(a).toBe(b);
    await a;
    clock = 10;
    expect(isOn()).toBe(false);
  });

  it('refuses unknown options and bad values when applied', () => {
    expect(() => maintenance({ enable: true } as never)).toThrow(/unknown option 'enable'/);
    expect(() => maintenance({ allow: ['10.0.0.0/33'] })).toThrow(/CIDR/);
    expect(() => maintenance({ allow: ['2001:db8::/129'] })).toThrow(/CIDR/);
    expect(() => maintenance({ allow: ['example.com'] })).toThrow(/CIDR/);
    expect(() => maintenance({ secret: { header: 'x-bypass', value: 'short' } })).toThrow(/16 characters/);
    expect(() => maintenance({ secret: { header: 'bad header', value: SECRET } })).toThrow(/header name/);
    expect(() => maintenance({ retryAfter: -1 })).toThrow(/retryAfter/);
    expect(() => maintenance({ enabled: true, file: '/x' })).toThrow(/either/);
    expect(() => maintenance({ enabled: 'yes' as never })).toThrow(/boolean or a function/);
  });

  it('names its functions for stack traces', () => {
    const mw = maintenance();
    expect(mw.name).toBe('maintenance');
    expect(mw(inner).name).toBe('maintenance');
  });
});

describeMiddlewareChecks(
  'maintenance: the shared middleware checks of @pagi/test',
  maintenance({ enabled: false }),
  {
    handles: ['http', 'websocket', 'sse'],
  },
);
