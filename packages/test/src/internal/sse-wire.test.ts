import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toClientComments, toClientEvent } from './sse-wire.js';

/** A minimal reference of what a browser does with the lines of one dispatched event. */
function browserData(wireLines: string[]): string {
  return wireLines.map((line) => line.slice('data: '.length)).join('\n');
}

describe('toClientEvent', () => {
  it('matches writing one data line per line and a browser joining them with LF', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', '\r', '\n', ' ', ':') }), (data) => {
        const wire = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`);
        const event = toClientEvent({ data });
        expect(event.data).toBe(browserData(wire));
        expect(event.data.includes('\r')).toBe(false);
      }),
    );
  });

  it('leaves out empty event and id, keeps retry 0', () => {
    expect(toClientEvent({ data: 'x', event: '', id: '', retry: 0 })).toEqual({ data: 'x', retry: 0 });
    expect(toClientEvent({ data: 'x', event: 'e', id: '1' })).toEqual({ data: 'x', event: 'e', id: '1' });
  });
});

describe('toClientComments', () => {
  it('gives one comment per line, without the wire colon', () => {
    expect(toClientComments('ping')).toEqual(['ping']);
    expect(toClientComments(':ping')).toEqual(['ping']);
    expect(toClientComments('::x')).toEqual([':x']);
    expect(toClientComments('a\r\nb')).toEqual(['a', 'b']);
    expect(toClientComments('')).toEqual(['']);
  });
});
