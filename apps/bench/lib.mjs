// Shared plumbing for the benchmarks: start a server child pinned to a core, run a load tool.
import { execFileSync, fork, spawn } from 'node:child_process';
import { cpus } from 'node:os';

export function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const canPin = hasCommand('taskset') && cpus().length >= 2;

/** Forks `file` (pinned to `core` when possible) and resolves with { child, port } once it listens. */
export function startChild(file, core = 0, execArgv = []) {
  const child = canPin
    ? spawn('taskset', ['-c', String(core), process.execPath, ...execArgv, file], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : fork(file, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before listening`)));
    child.on('message', (m) => {
      if (m && typeof m.port === 'number') resolve({ child, port: m.port });
    });
  });
}

export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
