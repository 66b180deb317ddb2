import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unixPathOfFd } from './fd-path.js';

describe('unixPathOfFd', () => {
  it('finds the path a listening Unix socket descriptor is bound to', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fdp-')), 'x.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    expect(unixPathOfFd(fd)).toBe(path);
    await new Promise((resolve) => server.close(resolve));
  });

  it("returns '' for a descriptor that is not a Unix socket", () => {
    expect(unixPathOfFd(0)).toBe('');
    expect(unixPathOfFd(987654)).toBe('');
  });
});
