import { describe, expect, it } from 'vitest';
import type { ReceiveEvent, SendEvent } from './types.js';
import { wrapReceive, wrapSend } from './wrap.js';

/** A receive whose events the test releases one at a time. */
function controlledReceive() {
  const waiting: ((event: ReceiveEvent<'http'>) => void)[] = [];
  let calls = 0;
  const receive = (): Promise<ReceiveEvent<'http'>> => {
    calls++;
    return new Promise((resolve) => waiting.push(resolve));
  };
  return {
    receive,
    calls: () => calls,
    release(event: ReceiveEvent<'http'>) {
      waiting.shift()!(event);
    },
  };
}

describe('wrapSend', () => {
  it('hands each event and the inner send to onEvent', async () => {
    const sent: SendEvent<'http'>[] = [];
    const inner = async (event: SendEvent<'http'>) => {
      sent.push(event);
    };
    const wrapped = wrapSend<'http'>(inner, async (event, next) => {
      if (event.type === 'http.response.start') await next({ ...event, status: 201 });
      else await next(event);
    });
    await wrapped({ type: 'http.response.start', status: 200 });
    await wrapped({ type: 'http.response.body', body: 'x' });
    expect(sent).toEqual([
      { type: 'http.response.start', status: 201 },
      { type: 'http.response.body', body: 'x' },
    ]);
  });

  it('lets onEvent drop an event and propagates its rejection', async () => {
    let count = 0;
    const wrapped = wrapSend<'http'>(
      async () => {
        count++;
      },
      async (event, next) => {
        if (event.type === 'http.fullflush') throw new Error('no flush');
        if (event.type === 'http.response.body') return;
        await next(event);
      },
    );
    await wrapped({ type: 'http.response.body' });
    expect(count).toBe(0);
    await expect(wrapped({ type: 'http.fullflush' })).rejects.toThrow('no flush');
  });
});

describe('wrapReceive', () => {
  it('maps each event through onEvent', async () => {
    const source = controlledReceive();
    const wrapped = wrapReceive(source.receive, (event) =>
      event.type === 'http.request' ? { ...event, body: new Uint8Array([9]) } : event,
    );
    const first = wrapped();
    source.release({ type: 'http.request', body: new Uint8Array([1]), more: false });
    expect(await first).toEqual({ type: 'http.request', body: new Uint8Array([9]), more: false });
  });

  it('keeps D-15: a call while one is pending returns the same promise and pulls once', async () => {
    const source = controlledReceive();
    const wrapped = wrapReceive(source.receive, async (event) => event);
    const first = wrapped();
    const second = wrapped();
    expect(second).toBe(first);
    expect(source.calls()).toBe(1);
    source.release({ type: 'http.request', body: new Uint8Array(), more: false });
    await first;
    const third = wrapped();
    expect(third).not.toBe(first);
    expect(source.calls()).toBe(2);
    source.release({ type: 'http.disconnect' });
    expect(await third).toEqual({ type: 'http.disconnect' });
  });

  it('loses no event after a timed-out race', async () => {
    const source = controlledReceive();
    const wrapped = wrapReceive(source.receive, (event) => event);
    const timeout = Symbol('timeout');
    const raced = await Promise.race([wrapped(), Promise.resolve(timeout)]);
    expect(raced).toBe(timeout);
    const again = wrapped();
    source.release({ type: 'http.disconnect' });
    expect(await again).toEqual({ type: 'http.disconnect' });
    expect(source.calls()).toBe(1);
  });

  it('starts afresh after a rejection', async () => {
    let n = 0;
    const wrapped = wrapReceive<'http'>(
      async () => ({ type: 'http.disconnect' }),
      (event) => {
        n++;
        if (n === 1) throw new Error('first fails');
        return event;
      },
    );
    await expect(wrapped()).rejects.toThrow('first fails');
    await expect(wrapped()).resolves.toEqual({ type: 'http.disconnect' });
  });
});
