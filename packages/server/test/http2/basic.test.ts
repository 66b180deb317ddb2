import { readFileSync } from 'node:fs';
import type { HttpScope } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCerts } from '../fixtures/tls/make-certs.js';
import { rawClient, type StartedServer, startServer } from '../helpers/start-server.js';
import { collect, h2Connect, h2Request } from './h2-client.js';

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

const echoScope = async (scope: HttpScope, _r: unknown, send: (e: object) => Promise<void>) => {
  const { headers, http_version, scheme, method, path, query_string, client, server } = scope;
  const body = JSON.stringify({ headers, http_version, scheme, method, path, query_string, client, server });
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] });
  await send({ type: 'http.response.body', body });
};

describe('HTTP/2 over cleartext (h2c prior knowledge)', () => {
  it('serves a stream as an http scope with http_version 2 and :authority as host', async () => {
    started = await startServer(echoScope as never, { http2: true });
    const session = await h2Connect(started.url);
    const res = await h2Request(session, { ':path': '/a/b?x=1', 'x-test': 'yes', cookie: 'a=1' });
    session.close();
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body.toString());
    expect(seen.http_version).toBe('2');
    expect(seen.scheme).toBe('http');
    expect(seen.method).toBe('GET');
    expect(seen.path).toBe('/a/b');
    expect(seen.query_string).toBe('x=1');
    expect(seen.headers[0]).toEqual(['host', `127.0.0.1:${started!.port}`]);
    expect(seen.headers).toContainEqual(['x-test', 'yes']);
    expect(seen.headers.some((h: string[]) => h[0]!.startsWith(':'))).toBe(false);
    expect(seen.client[0]).toBe('127.0.0.1');
    expect(seen.server[1]).toBe(started!.port);
  });

  it('keeps HTTP/1.1 on the same port, including a request shorter than the 24-byte preface', async () => {
    started = await startServer(echoScope as never, { http2: true });
    const res = await fetch(`${started.url}/one`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { http_version: string }).http_version).toBe('1.1');
    // 18 bytes, fewer than the preface: decided HTTP/1 on its first byte, answered at once.
    const raw = await rawClient(started.port);
    raw.socket.write('GET / HTTP/1.0\r\n\r\n');
    const text = await raw.closed;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text).toContain('"http_version":"1.0"');
  });

  it('HTTP/1 bytes that share the preface start (PRI…) are still HTTP/1', async () => {
    started = await startServer(echoScope as never, { http2: true });
    const raw = await rawClient(started.port);
    raw.socket.write('PRI / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = await raw.closed;
    expect(text).toMatch(/^HTTP\/1\.1 \d{3}/);
  });

  it('a graceful stop does not wait for a connection that has not sent a byte yet', async () => {
    started = await startServer(echoScope as never, { http2: true, shutdownTimeout: 30_000 });
    const raw = await rawClient(started.port);
    await started.close();
    await raw.closed; // closed by the stop, not left to the 30 s shutdown timeout
    started = undefined;
  });

  it('runs 100 concurrent streams on one connection', async () => {
    started = await startServer(echoScope as never, { http2: true });
    const session = await h2Connect(started.url);
    const all = await Promise.all(
      Array.from({ length: 100 }, (_, i) => h2Request(session, { ':path': `/s${i}` })),
    );
    session.close();
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(new Set(all.map((r) => JSON.parse(r.body.toString()).path)).size).toBe(100);
  });

  it('answers a plain CONNECT with 501', async () => {
    started = await startServer(echoScope as never, { http2: true });
    const session = await h2Connect(started.url);
    const res = await collect(session.request({ ':method': 'CONNECT', ':authority': 'example.com:443' }));
    session.close();
    expect(res.status).toBe(501);
  });
});

describe('HTTP/2 over TLS (ALPN)', () => {
  it('negotiates h2 and keeps http/1.1 for clients that only offer that', async () => {
    const certs = makeTestCerts();
    started = await startServer(echoScope as never, {
      http2: true,
      tlsCert: certs.serverCert,
      tlsKey: certs.serverKey,
    });
    const ca = readFileSync(certs.caCert, 'utf8');
    const url = `https://localhost:${started.port}`;
    const session = await h2Connect(url, ca);
    const res = await h2Request(session, { ':path': '/tls' });
    session.close();
    const seen = JSON.parse(res.body.toString());
    expect(seen.http_version).toBe('2');
    expect(seen.scheme).toBe('https');
    const https = await import('node:https');
    const h1 = await new Promise<string>((resolve, reject) => {
      https
        .get(`${url}/h1`, { ca, servername: 'localhost' }, (r) => {
          let text = '';
          r.on('data', (c) => {
            text += c;
          });
          r.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(JSON.parse(h1).http_version).toBe('1.1');
  });
});
