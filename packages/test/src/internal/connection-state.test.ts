import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestConnectionState } from './connection-state.js';

type Op = 'complete' | 'abort' | 'on_disconnect' | 'on_complete' | 'check';

describe('TestConnectionState', () => {
  it('keeps the §3.8 invariants under any sequence of operations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<Op>('complete', 'abort', 'on_disconnect', 'on_complete', 'check'), {
          maxLength: 12,
        }),
        (ops) => {
          const conn = new TestConnectionState();
          const fired = { disconnect: 0, complete: 0 };
          let registered = { disconnect: 0, complete: 0 };
          let wasDisconnected = false;
          for (const op of ops) {
            if (op === 'complete') conn.complete();
            else if (op === 'abort') conn.abort('client_closed');
            else if (op === 'on_disconnect') {
              registered = { ...registered, disconnect: registered.disconnect + 1 };
              conn.on_disconnect(() => fired.disconnect++);
            } else if (op === 'on_complete') {
              registered = { ...registered, complete: registered.complete + 1 };
              conn.on_complete(() => fired.complete++);
            }
            // Closed for any reason means not connected, and it never goes back to true.
            if (op === 'complete' || op === 'abort') expect(conn.is_connected()).toBe(false);
            if (wasDisconnected) expect(conn.is_connected()).toBe(false);
            wasDisconnected ||= !conn.is_connected();
          }
          // Never both lists.
          expect(fired.disconnect > 0 && fired.complete > 0).toBe(false);
          const first = ops.find((o) => o === 'complete' || o === 'abort');
          if (first === 'complete') {
            expect(fired.complete).toBe(registered.complete);
            expect(conn.disconnect_reason()).toBeUndefined();
          } else if (first === 'abort') {
            expect(fired.disconnect).toBe(registered.disconnect);
            expect(conn.disconnect_reason()).toBe('client_closed');
          } else {
            expect(fired).toEqual({ disconnect: 0, complete: 0 });
            expect(conn.is_connected()).toBe(true);
          }
        },
      ),
    );
  });

  it('resolves disconnect_future after the flags are set', async () => {
    const conn = new TestConnectionState();
    const reason = conn.disconnect_future().then((r) => [r, conn.is_connected(), conn.disconnect_reason()]);
    conn.abort('write_error');
    expect(await reason).toEqual(['write_error', false, 'write_error']);
  });

  it('keeps a throwing callback from stopping the others', () => {
    const conn = new TestConnectionState();
    const ran: number[] = [];
    conn.on_complete(() => {
      throw new Error('bad');
    });
    conn.on_complete(() => ran.push(2));
    conn.complete();
    expect(ran).toEqual([2]);
    expect(conn.callbackErrors).toHaveLength(1);
  });
});
