// AsyncQueue: FIFO order, end/fail draining, timeouts that leave the waiter list.
import { describe, expect, it, vi } from 'vitest';
import { AsyncQueue, isPagiError } from '../../src/index.js';

// A mutant that leaves a promise pending should fail fast, not tie up a mutation runner.
vi.setConfig({ testTimeout: 2000 });

describe('AsyncQueue', () => {
  it('hands buffered items out in order, then waits', async () => {
    const q = new AsyncQueue<number>();
    expect(q.closed).toBe(false);
    q.push(1);
    q.push(2);
    expect(q.peekAll()).toEqual([1, 2]);
    await expect(q.next()).resolves.toEqual({ done: false, value: 1 });
    expect(q.peekAll()).toEqual([2]);
    await expect(q.next()).resolves.toEqual({ done: false, value: 2 });
    expect(q.peekAll()).toEqual([]);
    const pending = q.next();
    q.push(3);
    await expect(pending).resolves.toEqual({ done: false, value: 3 });
    expect(q.peekAll()).toEqual([]);
  });

  it('resolves waiters in the order they started', async () => {
    const q = new AsyncQueue<string>();
    const a = q.next();
    const b = q.next(10_000);
    q.push('x');
    q.push('y');
    await expect(a).resolves.toEqual({ done: false, value: 'x' });
    await expect(b).resolves.toEqual({ done: false, value: 'y' });
  });

  it('end(): drains buffered items, then done; later pushes are dropped', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    q.end();
    expect(q.closed).toBe(true);
    q.push(2);
    expect(q.peekAll()).toEqual([1]);
    await expect(q.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(q.next()).resolves.toEqual({ done: true, value: undefined });
    q.fail(new Error('late'));
    await expect(q.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('end() releases every pending waiter with done', async () => {
    const q = new AsyncQueue<number>();
    const a = q.next(10_000);
    const b = q.next();
    q.end();
    await expect(a).resolves.toEqual({ done: true, value: undefined });
    await expect(b).resolves.toEqual({ done: true, value: undefined });
  });

  it('fail(): drains buffered items, then rejects; end() after fail does not clear it', async () => {
    const q = new AsyncQueue<number>();
    const boom = new Error('boom');
    q.push(1);
    q.fail(boom);
    expect(q.closed).toBe(true);
    q.end();
    q.fail(new Error('second'));
    await expect(q.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(q.next()).rejects.toBe(boom);
    await expect(q.next()).rejects.toBe(boom);
  });

  it('fail() rejects every pending waiter', async () => {
    const q = new AsyncQueue<number>();
    const boom = new Error('boom');
    const a = q.next(10_000);
    const b = q.next();
    q.fail(boom);
    await expect(a).rejects.toBe(boom);
    await expect(b).rejects.toBe(boom);
  });

  it('a timed-out read rejects with a PagiStateError naming what and leaves the list', async () => {
    const q = new AsyncQueue<number>();
    const error = await q.next(20, 'the response').catch((e: unknown) => e);
    expect(isPagiError(error)).toBe(true);
    expect((error as Error).message).toBe('timed out after 20 ms waiting for the response');
    // The timed-out read must not swallow the next item.
    q.push(5);
    expect(q.peekAll()).toEqual([5]);
    await expect(q.next()).resolves.toEqual({ done: false, value: 5 });
  });

  it('the default what is "an item"', async () => {
    const q = new AsyncQueue<number>();
    const error = await q.next(10).catch((e: unknown) => e);
    expect((error as Error).message).toBe('timed out after 10 ms waiting for an item');
  });

  it('a timed-out read leaves other waiters in place', async () => {
    const q = new AsyncQueue<number>();
    const later = q.next();
    await expect(q.next(10)).rejects.toThrow('timed out');
    q.push(1);
    await expect(later).resolves.toEqual({ done: false, value: 1 });
  });

  it('an item that came in time cancels the timer', async () => {
    const errors: string[] = [];
    const q = new AsyncQueue<number>({
      timeoutError: (what, ms) => {
        errors.push(`${what}/${ms}`);
        return new Error('late');
      },
    });
    const a = q.next(30, 'a');
    q.push(1);
    await expect(a).resolves.toEqual({ done: false, value: 1 });
    const b = q.next(30, 'b');
    q.end();
    await expect(b).resolves.toEqual({ done: true, value: undefined });
    await new Promise((r) => setTimeout(r, 120));
    expect(errors).toEqual([]);
  });

  it('uses the custom timeoutError', async () => {
    const q = new AsyncQueue<number>({ timeoutError: (what, ms) => new RangeError(`${what}:${ms}`) });
    const error = await q.next(5, 'w').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('w:5');
  });
});
