import { linkSync, mkdtempSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureStopped, type Spawned, spawnServer } from './harness.js';

let server: Spawned | undefined;
afterEach(async () => {
  await ensureStopped(server);
  server = undefined;
});

function hasIpv6(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

async function getJson(url: string, socketPath?: string) {
  const agent = new Agent({ pipelining: 0, ...(socketPath ? { connect: { socketPath } } : {}) });
  try {
    const res = await request(url, { dispatcher: agent });
    return JSON.parse(await res.body.text());
  } finally {
    await agent.close();
  }
}

/** A listening TCP socket on 127.0.0.1:0 whose descriptor can be handed to a child. */
async function listeningFd(): Promise<{ server: net.Server; fd: number; port: number }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  return { server, fd, port: (server.address() as net.AddressInfo).port };
}

describe('listeners', { timeout: 60_000 }, () => {
  it('serves several listeners at once: IPv4, IPv6 and a Unix socket with --socket-mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagi-unix-'));
    const path = join(dir, 'app.sock');
    const v6 = await hasIpv6();
    const listen = ['127.0.0.1:0', ...(v6 ? ['[::1]:0'] : []), `unix:${path}`];
    server = await spawnServer({ listen, socketMode: '0660' });
    expect(statSync(path).mode & 0o777).toBe(0o660);
    const tcp = await getJson(`${server.url}/info`);
    expect(tcp.server[0]).toBe('127.0.0.1');
    expect(tcp.hasClient).toBe(true);
    expect(tcp.hasTls).toBe(false);
    const unix = await getJson('http://localhost/info', path);
    expect(unix.server).toEqual([path, null]);
    expect(unix.hasClient).toBe(false);
    if (v6) {
      // the IPv6 listener got its own ephemeral port; find it from the outside by asking each
      // candidate would be guesswork, so the server reports every address in its banner
      const v6url = server.output().match(/http:\/\/\[::1\]:\d+/)![0];
      const info = await getJson(`${v6url}/info`);
      expect(info.server[0]).toBe('::1');
    }
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    // the socket file this process created is gone
    expect(() => statSync(path)).toThrow();
  });

  it('multi-worker: Unix socket served through the master, mode applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagi-unix-'));
    const path = join(dir, 'w.sock');
    server = await spawnServer({ listen: [`unix:${path}`], socketMode: '0600', workers: 2 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const pids = new Set<number>();
    while (pids.size < 2) {
      const info = await getJson('http://localhost/info', path);
      expect(info.server).toEqual([path, null]);
      pids.add(info.pid);
    }
  });

  for (const workers of [1, 2]) {
    it(`workers=${workers}: refuses to take over a Unix socket another process is serving (exit 3)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pagi-unix-'));
      const path = join(dir, 'busy.sock');
      const other = net.createServer();
      await new Promise<void>((resolve) => other.listen(path, resolve));
      try {
        server = await spawnServer({ listen: [`unix:${path}`], workers }, { noWait: true });
        expect((await server.exited).code).toBe(3);
        expect(server.output()).toMatch(/another process is serving/);
      } finally {
        other.close();
      }
    });
  }

  for (const workers of [1, 2]) {
    it(`systemd socket activation (LISTEN_FDS, no LISTEN_PID), workers=${workers}`, async () => {
      const { server: parent, fd, port } = await listeningFd();
      try {
        server = await spawnServer({ port: 1, workers }, { env: { LISTEN_FDS: '1' }, extraFds: [fd] });
      } finally {
        // The child has its own copy; the parent must not accept on it.
        parent.close();
      }
      const info = await getJson(`http://127.0.0.1:${port}/info`);
      expect(info.server).toEqual(['127.0.0.1', port]);
      expect(info.worker.is_worker).toBe(workers > 1);
    });
  }

  it('systemd socket activation with a Unix socket descriptor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagi-sd-'));
    const path = join(dir, 'sd.sock');
    const alias = join(dir, 'alias.sock');
    const parent = net.createServer();
    await new Promise<void>((resolve) => parent.listen(path, resolve));
    const fd = (parent as unknown as { _handle: { fd: number } })._handle.fd;
    // Closing our copy unlinks the path (libuv does that for sockets it bound); a hard link keeps
    // the socket reachable for the test, as systemd keeps its own socket file.
    linkSync(path, alias);
    try {
      server = await spawnServer({ port: 1 }, { env: { LISTEN_FDS: '1' }, extraFds: [fd] });
    } finally {
      parent.close();
    }
    const info = await getJson('http://localhost/info', alias);
    expect(info.server).toEqual([path, null]);
    expect(info.hasClient).toBe(false);
  });

  it('systemd: LISTEN_PID naming another process is ignored', async () => {
    const { server: parent, fd } = await listeningFd();
    try {
      server = await spawnServer({ port: 0 }, { env: { LISTEN_FDS: '1', LISTEN_PID: '1' }, extraFds: [fd] });
    } finally {
      parent.close();
    }
    // fell back to host:port (port 0 → an ephemeral port of its own)
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await getJson(`${server.url}/info`)).pid).toBe(server.child.pid);
  });

  it('--listen fd:N serves an inherited descriptor', async () => {
    const { server: parent, fd, port } = await listeningFd();
    try {
      server = await spawnServer({ listen: ['fd:3'] }, { extraFds: [fd] });
    } finally {
      parent.close();
    }
    expect((await getJson(`http://127.0.0.1:${port}/info`)).pid).toBe(server.child.pid);
  });
});
