import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { ListenSpecError } from './errors.js';

/** true when something accepts connections at `path` (so it is not a stale socket file). */
function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Removes a socket file left by a crashed server. A live socket (someone answers) or a path that
 * is not a socket is never touched: that is an error the operator must see.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return; // nothing there
  }
  if (!stat.isSocket())
    throw new ListenSpecError(
      `expected '${path}' to be free or a stale socket, got an existing non-socket file`,
    );
  if (await isLive(path))
    throw new ListenSpecError(`expected '${path}' to be free, got a socket another process is serving`);
  unlinkSync(path);
}

/**
 * Binds `server` to a Unix socket so that it is never connectable by others before its final
 * mode is set (the CVE-2023-45145 pattern, server-parity.md §5.5 item 10): the umask is 0177
 * during bind (owner-only), then `chmod(mode)`. Node binds synchronously inside `listen()` for a
 * path outside cluster workers, so the umask covers exactly the bind. Without `mode`, the file
 * gets what the process umask would have given.
 *
 * @example
 * await listenUnix(server, '/run/app.sock', 0o660, 511);
 */
export async function listenUnix(
  server: net.Server,
  path: string,
  mode: number | undefined,
  backlog: number,
): Promise<void> {
  await removeStaleSocket(path);
  const previous = process.umask(0o177);
  const finalMode = mode ?? 0o666 & ~previous;
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen({ path, backlog }, () => {
        server.off('error', onError);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
  chmodSync(path, finalMode);
}
