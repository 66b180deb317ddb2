import { describe, expect, it } from 'vitest';
import { takeSystemdFds } from './systemd.js';

describe('takeSystemdFds', () => {
  it('returns fds from 3 when LISTEN_PID matches, and clears the variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_FDS: '2', LISTEN_PID: '42', LISTEN_FDNAMES: 'a:b', KEEP: '1' };
    expect(takeSystemdFds(env, 42)).toEqual([3, 4]);
    expect(env).toEqual({ KEEP: '1' });
  });

  it('accepts a missing LISTEN_PID (a Node launcher cannot know the pid before exec)', () => {
    expect(takeSystemdFds({ LISTEN_FDS: '1' }, 7)).toEqual([3]);
  });

  it('ignores descriptors meant for another process, but still clears the variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_FDS: '1', LISTEN_PID: '41' };
    expect(takeSystemdFds(env, 42)).toEqual([]);
    expect(env.LISTEN_FDS).toBeUndefined();
  });

  it('returns nothing without LISTEN_FDS or with garbage', () => {
    expect(takeSystemdFds({}, 1)).toEqual([]);
    expect(takeSystemdFds({ LISTEN_FDS: 'two' }, 1)).toEqual([]);
  });
});
