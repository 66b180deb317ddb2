import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addressUrl, ListenerSet, unixListenerPath } from './listener-set.js';
import { listenUnix, removeStaleSocket } from './unix-socket.js';

const sets: ListenerSet[] = [];
afterEach(async () => {
  await Promise.all(sets.splice(0).map((s) => s.close()));
});

function roundTrip(connect: net.NetConnectOpts): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(connect);
    let data = '';
    socket.on('data', (c) => (data += c));
    socket.once('end', () => resolve(data));
    socket.once('error', reject);
  });
}

describe('ListenerSet', () => {
  it('feeds TCP and Unix listeners into one handler and reports where it bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-'));
    const path = join(dir, 's.sock');
    const seen: (string | undefined)[] = [];
    const set = new ListenerSet({
      specs: [
        { kind: 'tcp', host: '127.0.0.1', port: 0 },
        { kind: 'unix', path },
      ],
      backlog: 16,
      socketMode: 0o640,
      onConnection: (socket) => {
        seen.push(unixListenerPath(socket));
        socket.end('hi');
      },
    });
    sets.push(set);
    const [tcp, unix] = await set.listen();
    expect(tcp).toMatchObject({ kind: 'tcp', host: '127.0.0.1', tls: false });
    expect(unix).toEqual({ kind: 'unix', path });
    expect(addressUrl(unix!)).toBe(`unix:${path}`);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(await roundTrip({ port: (tcp as { port: number }).port, host: '127.0.0.1' })).toBe('hi');
    expect(await roundTrip({ path })).toBe('hi');
    expect(seen).toEqual([undefined, path]);
    await set.close();
    expect(() => statSync(path)).toThrow();
  });

  it('closes what it bound when a later listener fails', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const set = new ListenerSet({
      specs: [
        { kind: 'tcp', host: '127.0.0.1', port: 0 },
        { kind: 'tcp', host: '127.0.0.1', port: taken },
      ],
      backlog: 16,
      onConnection: (s) => s.destroy(),
    });
    await expect(set.listen()).rejects.toThrow(/EADDRINUSE/);
    blocker.close();
  });
});

describe('Unix socket binding', () => {
  it('restores the umask after binding and applies the default mode from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ux-'));
    const before = process.umask();
    const server = net.createServer();
    await listenUnix(server, join(dir, 'a.sock'), undefined, 16);
    expect(process.umask()).toBe(before);
    expect(statSync(join(dir, 'a.sock')).mode & 0o777).toBe(0o666 & ~before);
    await new Promise((r) => server.close(r));
  });

  it('removes a stale socket file but never a regular file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ux-'));
    const stale = join(dir, 'stale.sock');
    // a crashed server: SIGKILL leaves the socket file behind with nobody listening
    spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(statSync(stale).isSocket()).toBe(true);
    await removeStaleSocket(stale);
    expect(() => statSync(stale)).toThrow();
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    await expect(removeStaleSocket(file)).rejects.toMatchObject({ code: 'PAGI_ERR_LISTEN_SPEC' });
  });
});
