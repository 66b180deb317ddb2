import { readFileSync, readlinkSync } from 'node:fs';

/**
 * The filesystem path a Unix socket descriptor is bound to, for `scope.server = [path, null]`
 * when the socket was inherited (systemd, `fd:N`): Node exposes no getsockname for pipes, so
 * this reads the socket's inode from `/proc/self/fd` and its path from `/proc/net/unix` (Linux).
 * Returns `''` when the path cannot be found (another OS, an abstract or unnamed socket).
 *
 * @example
 * unixPathOfFd(3); // '/run/app.sock'
 */
export function unixPathOfFd(fd: number): string {
  try {
    const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    if (inode === undefined) return '';
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      // Num RefCount Protocol Flags Type St Inode Path
      const fields = line.trim().split(/\s+/);
      if (fields[6] === inode) return fields[7]?.startsWith('/') ? fields[7] : '';
    }
  } catch {
    // no /proc: not Linux, or a restricted sandbox
  }
  return '';
}
