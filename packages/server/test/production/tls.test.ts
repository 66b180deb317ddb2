import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServer, type PagiServer } from '../../src/index.js';
import { makeTestCerts, type TestCerts } from '../fixtures/tls/make-certs.js';
import { cipherSuiteNumber } from '../../src/tls/cipher-suites.js';
import { ensureStopped, fixtureApp, type Spawned, spawnServer } from './harness.js';

let certs: TestCerts;
let app: Parameters<typeof createServer>[0];
beforeAll(async () => {
  certs = makeTestCerts();
  app = (await import(fixtureApp)).default;
});

let server: PagiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(extra: object = {}): Promise<PagiServer> {
  server = createServer(app, {
    port: 0,
    logLevel: 'silent',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    ...extra,
  });
  await server.listen();
  return server;
}

interface Exchange {
  status: number;
  body: string;
  protocol: string | null;
  cipher: string | undefined;
  alpn: string | false | null;
}

/** One HTTPS request over a raw TLS socket, so the negotiated parameters can be read off it. */
function httpsGet(port: number, path: string, options: tls.ConnectionOptions = {}): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ca: readFileSync(certs.caCert),
      servername: 'localhost',
      ...options,
    });
    let data = '';
    socket.once('secureConnect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.once('error', reject);
    // With TLS 1.3 the client finishes its side of the handshake before the server has checked
    // the client certificate; a rejection then shows up as a close without any response.
    socket.once('close', () => reject(new Error('connection closed without a response')));
    socket.once('end', () => {
      if (data === '') return reject(new Error('connection closed without a response'));
      const [head, ...rest] = data.split('\r\n\r\n');
      const body = rest.join('\r\n\r\n');
      // chunked or content-length: the fixture sends small bodies; strip chunk framing if present
      const unchunked = /transfer-encoding: chunked/i.test(head ?? '')
        ? body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '')
        : body;
      resolve({
        status: Number(head?.split(' ')[1]),
        body: unchunked,
        protocol: socket.getProtocol(),
        cipher: (socket.getCipher() as { standardName?: string }).standardName,
        alpn: socket.alpnProtocol,
      });
    });
  });
}

/** A plain TCP connection that never speaks TLS. */
async function tcpConnect(port: number): Promise<{ closed: Promise<void>; isClosed(): boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let done = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      done = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return { closed, isClosed: () => done };
}

describe('TLS', () => {
  it('serves https with the tls extension filled in exactly as protocol.md §6.3 says', async () => {
    const s = await start();
    const r = await httpsGet(s.port, '/info', { ALPNProtocols: ['h2', 'http/1.1'] });
    expect(r.status).toBe(200);
    expect(r.protocol).toBe('TLSv1.3');
    expect(r.alpn).toBe('http/1.1');
    const info = JSON.parse(r.body);
    expect(info.scheme).toBe('https');
    expect(Object.keys(info.tls).sort()).toEqual(
      [
        'cipher_suite',
        'client_cert_chain',
        'client_cert_error',
        'client_cert_name',
        'server_cert',
        'tls_version',
      ].sort(),
    );
    expect(info.tls.tls_version).toBe(0x0304);
    expect(info.tls.cipher_suite).toBe(cipherSuiteNumber(r.cipher));
    expect(info.tls.cipher_suite).toBeGreaterThanOrEqual(0x1301);
    expect(new X509Certificate(info.tls.server_cert).fingerprint256).toBe(
      new X509Certificate(readFileSync(certs.serverCert)).fingerprint256,
    );
    expect(info.tls.client_cert_chain).toEqual([]);
    expect(info.tls.client_cert_name).toBeNull();
    expect(info.tls.client_cert_error).toBeNull();
  });

  it('negotiates TLS 1.2 with a 1.2-only client and reports 0x0303 and an ECDHE-GCM/ChaCha suite number', async () => {
    const s = await start();
    const r = await httpsGet(s.port, '/info', { maxVersion: 'TLSv1.2' });
    expect(r.protocol).toBe('TLSv1.2');
    const info = JSON.parse(r.body);
    expect(info.tls.tls_version).toBe(0x0303);
    expect(info.tls.cipher_suite).toBe(cipherSuiteNumber(r.cipher));
    expect(info.tls.cipher_suite).not.toBeNull();
  });

  it('refuses anything below TLS 1.2 with a protocol_version alert', async () => {
    // The server's cipher list is opened to security level 0, which TLS 1.0/1.1 suites need, so
    // the version floor is the only thing that can refuse this client (a lowered floor fails this test).
    const s = await start({ tlsCiphers: 'DEFAULT@SECLEVEL=0' });
    await expect(
      httpsGet(s.port, '/', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    ).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
  });

  it('tlsMinVersion TLSv1.3 refuses a TLS 1.2-only client; lower floors are refused at construction', async () => {
    const s = await start({ tlsMinVersion: 'TLSv1.3' });
    await expect(httpsGet(s.port, '/', { maxVersion: 'TLSv1.2' })).rejects.toMatchObject({
      code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    expect((await httpsGet(s.port, '/info')).protocol).toBe('TLSv1.3');
    expect(() =>
      createServer(app, {
        tlsCert: certs.serverCert,
        tlsKey: certs.serverKey,
        tlsMinVersion: 'TLSv1.1' as 'TLSv1.2',
      }),
    ).toThrow(/expected tlsMinVersion 'TLSv1.2' or 'TLSv1.3', got "TLSv1.1"/);
  });

  it('tlsCiphers restricts the TLS 1.2 suites; a list naming nothing usable fails at construction', async () => {
    const s = await start({ tlsCiphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' });
    const r = await httpsGet(s.port, '/info', { maxVersion: 'TLSv1.2' });
    expect(r.cipher).toBe('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256');
    await s.close();
    expect(() =>
      createServer(app, { tlsCert: certs.serverCert, tlsKey: certs.serverKey, tlsCiphers: 'NO-SUCH-CIPHER' }),
    ).toThrow(expect.objectContaining({ code: 'PAGI_ERR_TLS_CONFIG' }));
  });

  it('closes a bare TCP connect that never starts the handshake after tlsHandshakeTimeout, and counts it from accept', async () => {
    const s = await start({ tlsHandshakeTimeout: 300 });
    const bare = await Promise.all(Array.from({ length: 5 }, () => tcpConnect(s.port)));
    // Counted while handshaking (before the fix they were invisible to maxConnections).
    await expect.poll(() => s.connectionCount).toBe(5);
    await Promise.all(bare.map((b) => b.closed));
    await expect.poll(() => s.connectionCount).toBe(0);
  });

  it('60 bare TCP connects against maxConnections 50: the extra ones are closed at accept, and a real client is served once the handshakes time out', async () => {
    const s = await start({ tlsHandshakeTimeout: 500, maxConnections: 50, maxConnectionsPerAddress: 0 });
    const bare = await Promise.all(Array.from({ length: 60 }, () => tcpConnect(s.port)));
    await expect.poll(() => bare.filter((b) => b.isClosed()).length).toBeGreaterThanOrEqual(10);
    expect(s.connectionCount).toBeLessThanOrEqual(50);
    await Promise.all(bare.map((b) => b.closed));
    expect((await httpsGet(s.port, '/info')).status).toBe(200);
  });

  it('mTLS require: accepts a CA-signed client certificate and fills in the client fields', async () => {
    const s = await start({ tlsCa: certs.caCert, tlsVerifyClient: 'require' });
    const r = await httpsGet(s.port, '/info', {
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
    });
    const info = JSON.parse(r.body);
    expect(info.tls.client_cert_name).toBe('CN=client one,OU=Unit #1,O=Doe\\, John \\<QA\\>,C=US');
    expect(info.tls.client_cert_error).toBeNull();
    expect(info.tls.client_cert_chain.length).toBeGreaterThanOrEqual(1);
    // leaf first
    expect(new X509Certificate(info.tls.client_cert_chain[0]).fingerprint256).toBe(
      new X509Certificate(readFileSync(certs.clientCert)).fingerprint256,
    );
    for (const pem of info.tls.client_cert_chain)
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
  });

  it('mTLS require: rejects a client without a certificate and one with an unknown issuer', async () => {
    const s = await start({ tlsCa: certs.caCert, tlsVerifyClient: 'require' });
    await expect(httpsGet(s.port, '/info')).rejects.toThrow();
    await expect(
      httpsGet(s.port, '/info', { cert: readFileSync(certs.rogueCert), key: readFileSync(certs.rogueKey) }),
    ).rejects.toThrow();
  });

  it('mTLS optional: an unverified certificate is let in and reported in client_cert_error', async () => {
    const s = await start({ tlsCa: certs.caCert, tlsVerifyClient: 'optional' });
    const rogue = JSON.parse(
      (
        await httpsGet(s.port, '/info', {
          cert: readFileSync(certs.rogueCert),
          key: readFileSync(certs.rogueKey),
        })
      ).body,
    );
    expect(rogue.tls.client_cert_name).toBe('CN=rogue');
    expect(typeof rogue.tls.client_cert_error).toBe('string');
    const none = JSON.parse((await httpsGet(s.port, '/info')).body);
    expect(none.tls.client_cert_chain).toEqual([]);
    expect(none.tls.client_cert_error).toBeNull();
  });

  it('wss: WebSocket echo over TLS with scheme wss', async () => {
    const s = await start();
    const ws = new WebSocket(`wss://127.0.0.1:${s.port}/scheme`, { ca: readFileSync(certs.caCert) });
    const first = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(await first).toBe('wss tls');
    const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('over tls');
    expect(await echoed).toBe('over tls');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
  });

  it('rejects half a TLS configuration at construction with PAGI_ERR_TLS_CONFIG', () => {
    expect(() => createServer(app, { tlsCert: certs.serverCert })).toThrow(
      expect.objectContaining({ code: 'PAGI_ERR_TLS_CONFIG' }),
    );
    expect(() =>
      createServer(app, { tlsCert: certs.serverCert, tlsKey: certs.serverKey, tlsVerifyClient: 'require' }),
    ).toThrow(expect.objectContaining({ code: 'PAGI_ERR_TLS_CONFIG' }));
  });
});

describe('TLS certificate reload on SIGHUP (single process)', () => {
  let spawned: Spawned | undefined;
  afterAll(async () => ensureStopped(spawned));

  it('new handshakes present the new certificate; the process keeps running', async () => {
    const second = makeTestCerts();
    const live = join(certs.dir, 'live');
    copyFileSync(certs.serverCert, `${live}.pem`);
    copyFileSync(certs.serverKey, `${live}.key`);
    spawned = await spawnServer({ port: 0, tlsCert: `${live}.pem`, tlsKey: `${live}.key` });
    const port = Number(new URL(spawned.url).port);
    const fingerprint = (ca: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          { host: '127.0.0.1', port, ca: readFileSync(ca), servername: 'localhost' },
          () => {
            resolve(socket.getPeerX509Certificate()!.fingerprint256);
            socket.destroy();
          },
        );
        socket.once('error', reject);
      });
    expect(await fingerprint(certs.caCert)).toBe(
      new X509Certificate(readFileSync(certs.serverCert)).fingerprint256,
    );
    copyFileSync(second.serverCert, `${live}.pem`);
    copyFileSync(second.serverKey, `${live}.key`);
    spawned.child.kill('SIGHUP');
    await spawned.waitFor(/TLS certificates reloaded/);
    expect(await fingerprint(second.caCert)).toBe(
      new X509Certificate(readFileSync(second.serverCert)).fingerprint256,
    );
  });
});
