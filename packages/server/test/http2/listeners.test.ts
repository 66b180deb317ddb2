/**
 * HTTP/2 on every listener kind and through the real CLI with workers, with real clients
 * (`curl --http2-prior-knowledge`, `curl --http2` over TLS, node:http2 over a Unix socket).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/parse-args.js';
import { makeTestCerts } from '../fixtures/tls/make-certs.js';
import { type StartedServer, startServer } from '../helpers/start-server.js';
import { ensureStopped, fixtureApp, type Spawned, spawnCli } from '../production/harness.js';
import { collect } from './h2-client.js';

const run = promisify(execFile);

let started: StartedServer | undefined;
let spawned: Spawned | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
  await ensureStopped(spawned);
  spawned = undefined;
});

const versionApp: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [] });
  await send({ type: 'http.response.body', body: `v${scope.http_version} ${scope.scheme}` });
};

async function curl(args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', ...args]);
  return stdout;
}

describe('HTTP/2 listeners and clients', () => {
  it('curl --http2-prior-knowledge (h2c) and plain curl (HTTP/1.1) on one port', async () => {
    started = await startServer(versionApp, { http2: true });
    expect(await curl(['--http2-prior-knowledge', `${started.url}/`])).toBe('v2 http');
    expect(await curl([`${started.url}/`])).toBe('v1.1 http');
  });

  it('curl --http2 over TLS negotiates h2 by ALPN; --http1.1 still works', async () => {
    const certs = makeTestCerts();
    started = await startServer(versionApp, {
      http2: true,
      tlsCert: certs.serverCert,
      tlsKey: certs.serverKey,
    });
    const url = `https://localhost:${started.port}/`;
    expect(await curl(['--http2', '--cacert', certs.caCert, url])).toBe('v2 https');
    expect(await curl(['--http1.1', '--cacert', certs.caCert, url])).toBe('v1.1 https');
  });

  it('serves h2c on a Unix socket listener', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pagi-h2-unix-')), 's.sock');
    started = await startServer(versionApp, { http2: true, listen: [`unix:${path}`] });
    const session = h2connect('http://localhost', { createConnection: () => netConnect(path) });
    const res = await collect(session.request({ ':path': '/' }));
    session.close();
    expect(res.body.toString()).toBe('v2 http');
  });

  it('--http2 and its limits are CLI flags', () => {
    const parsed = parseCliArgs([
      '--http2',
      '--http2-max-concurrent-streams',
      '50',
      '--http2-idle-timeout',
      '2',
      'app.mjs',
    ]);
    expect(parsed.options).toMatchObject({
      http2: true,
      http2MaxConcurrentStreams: 50,
      http2IdleTimeout: 2000,
    });
  });

  it('pagi-server --http2 --workers 2 serves h2c from every worker', { timeout: 60_000 }, async () => {
    spawned = await spawnCli(['--port', '0', '--workers', '2', '--http2', '--access-log', 'off', fixtureApp]);
    await spawned.waitFor(/listening on .*2 workers/);
    const bodies = await Promise.all(
      Array.from({ length: 6 }, () => curl(['--http2-prior-knowledge', `${spawned!.url}/`])),
    );
    expect(bodies.every((b) => b.startsWith('hello '))).toBe(true);
  });
});
