import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConformanceSseEvent } from '../transport.js';
import { SseParser, type SseParserOutput } from './sse-parser.js';

/** What a server writes for one event (protocol.md §4.4.4), with a chosen line ending. */
function encode(event: ConformanceSseEvent, eol: string): string {
  const lines: string[] = [];
  if (event.event !== undefined) lines.push(`event: ${event.event}`);
  for (const line of event.data.split('\n')) lines.push(`data: ${line}`);
  if (event.id !== undefined) lines.push(`id: ${event.id}`);
  if (event.retry !== undefined) lines.push(`retry: ${event.retry}`);
  return lines.map((line) => line + eol).join('') + eol;
}

/** Feeds `wire` cut at the given positions, collecting every output. */
function feedInPieces(wire: string, cuts: number[]): SseParserOutput[] {
  const parser = new SseParser();
  const out: SseParserOutput[] = [];
  let last = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    out.push(...parser.feed(wire.slice(last, cut)));
    last = cut;
  }
  out.push(...parser.feed(wire.slice(last)));
  return out;
}

const fieldText = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ':', 'x') });
const eventArb: fc.Arbitrary<ConformanceSseEvent> = fc.record(
  {
    event: fieldText.filter((s) => s !== ''),
    data: fc.string({ unit: fc.constantFrom('a', '\n', ' ', ':', '✓') }),
    id: fieldText.filter((s) => s !== ''),
    retry: fc.nat(100_000),
  },
  { requiredKeys: ['data'] },
);

describe('SseParser', () => {
  it('gives back every encoded event, whatever the line ending and however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 5 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(400), { maxLength: 6 }),
        (events, eol, cuts) => {
          const wire = events.map((event) => encode(event, eol)).join('');
          const out = feedInPieces(
            wire,
            cuts.map((cut) => cut % (wire.length + 1)),
          );
          expect(out).toEqual(events.map((event) => ({ kind: 'event', event })));
        },
      ),
    );
  });

  it('reports comments without their colon and never as events', () => {
    const parser = new SseParser();
    expect(parser.feed(':ping\n\n: spaced\ndata: x\n\n')).toEqual([
      { kind: 'comment', text: 'ping' },
      { kind: 'comment', text: ' spaced' },
      { kind: 'event', event: { data: 'x' } },
    ]);
  });

  it('dispatches an empty data line, and nothing for a block without data', () => {
    const parser = new SseParser();
    expect(parser.feed('data:\n\nid: 3\n\nevent: e\ndata\n\n')).toEqual([
      { kind: 'event', event: { data: '' } },
      { kind: 'event', event: { event: 'e', data: '' } },
    ]);
  });
});
