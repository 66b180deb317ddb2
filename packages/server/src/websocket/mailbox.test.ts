import { describe, expect, it } from 'vitest';
import { Mailbox } from './mailbox.js';

describe('Mailbox', () => {
  it('delivers in order, then the terminal event forever', async () => {
    const box = new Mailbox<string>();
    box.push('a');
    box.push('b');
    box.finish('end');
    box.push('ignored after finish');
    expect([await box.receive(), await box.receive(), await box.receive(), await box.receive()]).toEqual([
      'a',
      'b',
      'end',
      'end',
    ]);
  });

  it('hands a pending receive() the next event, and shares it between concurrent calls (D-15)', async () => {
    const box = new Mailbox<number>();
    const first = box.receive();
    expect(box.receive()).toBe(first);
    box.push(1);
    expect(await first).toBe(1);
    expect(box.size).toBe(0);
    const next = box.receive();
    box.finish(-1);
    expect(await next).toBe(-1);
  });

  it('counts queued events and keeps order across compaction', async () => {
    const box = new Mailbox<number>();
    for (let i = 0; i < 5000; i++) box.push(i);
    expect(box.size).toBe(5000);
    const seen: number[] = [];
    for (let i = 0; i < 3000; i++) seen.push(await box.receive());
    for (let i = 5000; i < 6000; i++) box.push(i);
    while (box.size > 0) seen.push(await box.receive());
    expect(seen).toEqual([...Array(6000).keys()]);
  });
});
