import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';
import { createDeferred } from './deferred.js';
import { sharedReceive } from './shared-receive.js';

describe('sharedReceive (D-15)', () => {
  it('hands out the pending promise again and never a settled one twice', async () => {
    const gates = [createDeferred<number>(), createDeferred<number>()];
    let calls = 0;
    const receive = sharedReceive(() => gates[calls++]!.promise);
    const first = receive();
    // An app that raced receive() against a timer and lost keeps getting the same promise.
    expect(receive()).toBe(first);
    gates[0]!.resolve(1);
    expect(await first).toBe(1);
    const second = receive();
    expect(second).not.toBe(first);
    gates[1]!.resolve(2);
    expect(await second).toBe(2);
    expect(calls).toBe(2);
  });
});

describe('AsyncQueue', () => {
  it('a timed-out read does not swallow the next item', async () => {
    const queue = new AsyncQueue<string>();
    await expect(queue.next(5, 'an item')).rejects.toMatchObject({ code: 'PAGI_ERR_TEST_TIMEOUT' });
    queue.push('kept');
    expect(await queue.next(5, 'an item')).toEqual({ done: false, value: 'kept' });
  });

  it('drains buffered items before reporting the end or the failure', async () => {
    const ended = new AsyncQueue<number>();
    ended.push(1);
    ended.end();
    ended.push(2);
    expect(await ended.next(5, 'x')).toEqual({ done: false, value: 1 });
    expect(await ended.next(5, 'x')).toEqual({ done: true, value: undefined });
    const failed = new AsyncQueue<number>();
    failed.push(1);
    failed.fail(new Error('boom'));
    expect(await failed.next(5, 'x')).toEqual({ done: false, value: 1 });
    await expect(failed.next(5, 'x')).rejects.toThrow('boom');
  });
});
