import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { markRequestBoundary } from '../http/deadlines.js';
import { ConnectionGuard, type GuardedExchange, type GuardedSlot } from './connection-guard.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} } as never;

/** One slot whose request has `buffered` bytes waiting for the app; the clock is set by hand. */
function setup() {
  let now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => now);
  const socket = { writable: false, destroy: vi.fn() } as unknown as Socket;
  const req = { complete: false, readableLength: 0 };
  const ex = { req, untouched: true, fail: vi.fn(), abort: vi.fn() } as unknown as GuardedExchange;
  const slot: GuardedSlot = {
    socket,
    current: ex,
    foreign: undefined,
    closeAfter: false,
    readSince: undefined,
    readPausedAt: undefined,
  };
  const settings = {
    requestReadTimeout: 1000,
    sendTimeout: 0,
    maxConnections: 0,
    maxConnectionsPerAddress: 0,
  };
  const guard = new ConnectionGuard(settings, new Set([slot]), () => 1, undefined, logger);
  markRequestBoundary(slot);
  const at = (t: number, buffered: number) => {
    now = t;
    req.readableLength = buffered;
    guard.sweep();
  };
  return { at, ex, socket };
}

afterEach(() => vi.restoreAllMocks());

describe('requestReadTimeout clock', () => {
  it('stops while received bytes wait for a busy app, and resumes shifted by the pause', () => {
    const { at, ex } = setup();
    at(400, 0); // 400 ms waiting on the client
    at(500, 64); // the app is busy: bytes are waiting for it
    at(2500, 64);
    at(2600, 0); // the app reads again: 400 + ~100 ms of client time so far, not 2.6 s
    expect(ex.fail).not.toHaveBeenCalled();
    at(3000, 0);
    expect(ex.fail).not.toHaveBeenCalled();
    at(3200, 0); // past 1000 ms of time spent waiting on the client
    expect(ex.fail).toHaveBeenCalledWith('client_timeout');
  });

  it('fires for a client that never sends, from the request boundary', () => {
    const { at, ex, socket } = setup();
    at(999, 0);
    expect(ex.fail).not.toHaveBeenCalled();
    at(1001, 0);
    expect(ex.fail).toHaveBeenCalledWith('client_timeout');
    expect(socket.destroy).toHaveBeenCalled();
  });
});
