import { chmodSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Writes `pid` to `path` (after the server listens, so a supervisor reading it can connect).
 *
 * @example
 * writePidFile('/run/pagi.pid', process.pid);
 */
export function writePidFile(path: string, pid: number): void {
  writeFileSync(path, `${pid}\n`);
  // Readable by supervisors even while the master holds a restrictive umask for Unix sockets.
  chmodSync(path, 0o644);
}

/** Removes the PID file if it still names `pid` (a newer server may have taken the path over). */
export function removePidFile(path: string, pid: number): void {
  try {
    if (readFileSync(path, 'utf8').trim() === String(pid)) unlinkSync(path);
  } catch {
    // already removed
  }
}
