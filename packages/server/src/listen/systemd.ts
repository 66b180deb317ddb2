/** First inherited descriptor under the sd_listen_fds(3) protocol. */
export const SD_LISTEN_FDS_START = 3;

/**
 * The listening descriptors systemd (or any launcher speaking sd_listen_fds(3)) passed in:
 * fds 3..3+LISTEN_FDS-1. `LISTEN_PID` is honoured when it equals this process's pid **or is
 * absent**: Node cannot set an environment variable between fork and exec, so a Node launcher
 * (or a test) cannot know the pid in advance. The variables are removed from `env` afterwards so
 * children (workers, app subprocesses) do not claim the same descriptors.
 *
 * @example
 * const fds = takeSystemdFds(process.env, process.pid); // [3] under a socket unit
 */
export function takeSystemdFds(env: NodeJS.ProcessEnv, pid: number): number[] {
  const countText = env.LISTEN_FDS;
  const pidText = env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  if (countText === undefined || !/^\d+$/.test(countText)) return [];
  if (pidText !== undefined && pidText !== String(pid)) return [];
  const count = Number(countText);
  return Array.from({ length: count }, (_, i) => SD_LISTEN_FDS_START + i);
}
