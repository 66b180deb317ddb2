import type { HttpScope, WebSocketScope } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  lineSink,
  type RawClient,
  rawClient,
  type StartedServer,
  startServer,
} from '../helpers/start-server.js';

let s: StartedServer | undefined;
const open: RawClient[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.socket.destroy();
  await s?.close();
  s = undefined;
});

/** Answers every request with its scope's client and scheme as JSON; accepts WebSockets and reports the same. */
const echoApp = async (scope: any, receive: any, send: any): Promise<void> => {
  if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
    const ws = scope as WebSocketScope;
    await send({
      type: 'websocket.send',
      text: JSON.stringify({ client: ws.client ?? null, scheme: ws.scheme }),
    });
    await send({ type: 'websocket.close' });
    return;
  }
  const http = scope as HttpScope;
  const body = JSON.stringify({ client: http.client ?? null, scheme: http.scheme });
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] });
  await send({ type: 'http.response.body', body });
};

async function get(
  port: number,
  headers: string,
  from?: string,
): Promise<{ client: [string, number] | null; scheme: string }> {
  const c = await rawClient(port, from);
  open.push(c);
  c.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`);
  const text = await c.closed;
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

describe('proxyHeaders / forwardedAllowIps', () => {
  it('takes the client and scheme from X-Forwarded-* sent by a trusted proxy, walking past trusted hops', async () => {
    const lines: string[] = [];
    s = await startServer(echoApp, {
      proxyHeaders: true,
      forwardedAllowIps: ['127.0.0.1', '10.0.0.0/8'],
      accessLog: 'common',
      accessLogStream: lineSink(lines),
    });
    const r = await get(
      s.port,
      'X-Forwarded-For: 198.51.100.1, 203.0.113.7, 10.1.2.3\r\nX-Forwarded-Proto: https\r\n',
    );
    expect(r).toEqual({ client: ['203.0.113.7', 0], scheme: 'https' });
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toMatch(/^203\.0\.113\.7 - - /);
  });

  it('reads Forwarded (RFC 7239), with a port', async () => {
    s = await startServer(echoApp, { proxyHeaders: true, forwardedAllowIps: ['127.0.0.1'] });
    const r = await get(s.port, 'Forwarded: for="[2001:db8::7]:4711";proto=https\r\n');
    expect(r).toEqual({ client: ['2001:db8::7', 4711], scheme: 'https' });
  });

  it('ignores the headers from an untrusted peer (a spoofing client), and when proxyHeaders is off', async () => {
    s = await startServer(echoApp, { proxyHeaders: true, forwardedAllowIps: ['127.0.0.1'] });
    const spoof =
      'X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nForwarded: for=203.0.113.8\r\n';
    const r = await get(s.port, spoof, '127.0.0.2');
    expect(r.client?.[0]).toBe('127.0.0.2');
    expect(r.scheme).toBe('http');
    await s.close();
    s = await startServer(echoApp, {});
    const off = await get(s.port, spoof);
    expect(off.client?.[0]).toBe('127.0.0.1');
    expect(off.scheme).toBe('http');
  });

  it('ignores garbage: the peer stays the client', async () => {
    s = await startServer(echoApp, { proxyHeaders: true, forwardedAllowIps: ['127.0.0.1'] });
    const r = await get(s.port, `X-Forwarded-For: not-an-ip\r\nX-Forwarded-Proto: ${'x'.repeat(500)}\r\n`);
    expect(r.client?.[0]).toBe('127.0.0.1');
    expect(r.scheme).toBe('http');
  });

  it('gives a WebSocket scope the forwarded client and wss', async () => {
    s = await startServer(echoApp, { proxyHeaders: true, forwardedAllowIps: ['127.0.0.1'] });
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`, {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' },
    });
    const message = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    expect(JSON.parse(message)).toEqual({ client: ['203.0.113.9', 0], scheme: 'wss' });
    ws.close();
  });

  it("does not count a trusted proxy's connections against maxConnectionsPerAddress", async () => {
    s = await startServer(echoApp, {
      proxyHeaders: true,
      forwardedAllowIps: ['127.0.0.1'],
      maxConnectionsPerAddress: 1,
    });
    const held = await rawClient(s.port);
    open.push(held);
    await expect.poll(() => s!.server.connectionCount).toBe(1);
    expect((await get(s.port, 'X-Forwarded-For: 203.0.113.1\r\n')).client?.[0]).toBe('203.0.113.1');
    // An untrusted address is still limited.
    const other = await rawClient(s.port, '127.0.0.2');
    open.push(other);
    await expect.poll(() => s!.server.connectionCount).toBe(2);
    const refused = await rawClient(s.port, '127.0.0.2');
    open.push(refused);
    expect(await refused.closed).toMatch(/^HTTP\/1\.1 503 /);
  });

  it('behind a trusted proxy, limits each forwarded client per request (in flight) and per WebSocket', async () => {
    const release: Array<() => void> = [];
    s = await startServer(
      async (scope: any, receive: any, send: any) => {
        if (scope.type === 'http' && scope.path === '/hold') await new Promise<void>((r) => release.push(r));
        await echoApp(scope, receive, send);
      },
      { proxyHeaders: true, forwardedAllowIps: ['127.0.0.1'], maxConnectionsPerAddress: 1 },
    );
    const holder = await rawClient(s.port);
    open.push(holder);
    holder.socket.write('GET /hold HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.1\r\n\r\n');
    await expect.poll(() => release.length).toBe(1);
    // Same forwarded client while its first request is in flight: 503; another client: served.
    const second = await rawClient(s.port);
    open.push(second);
    second.socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.1\r\n\r\n');
    const refused = await second.closed;
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nretry-after: 5\r\n/i);
    expect((await get(s.port, 'X-Forwarded-For: 203.0.113.2\r\n')).client?.[0]).toBe('203.0.113.2');
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/`, { headers: { 'x-forwarded-for': '203.0.113.1' } });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => {});
    });
    expect(status).toBe(503);
    // Once the held request finishes, the client's count is back to zero.
    release[0]!();
    await holder.waitFor('203.0.113.1');
    expect((await get(s.port, 'X-Forwarded-For: 203.0.113.1\r\n')).client?.[0]).toBe('203.0.113.1');
  });
});
