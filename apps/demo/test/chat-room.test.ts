import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatRoom, cleanName } from '../src/chat-room.mjs';

describe('cleanName', () => {
  it('strips control characters, collapses whitespace and caps the length', () => {
    expect(cleanName('  Ada\n\tLovelace ')).toBe('Ada Lovelace');
    expect(cleanName('x'.repeat(40))).toBe('x'.repeat(32));
    expect(cleanName('\u0000\u001f ')).toBeUndefined();
    expect(cleanName(null)).toBeUndefined();
  });

  it('never returns a name with control characters, edge whitespace or over 32 units', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (raw) => {
        const name = cleanName(raw);
        if (name === undefined) return;
        expect(name).not.toMatch(/[\u0000-\u001f\u007f]/);
        expect(name).toBe(name.trim());
        expect(name.length).toBeGreaterThan(0);
        expect(name.length).toBeLessThanOrEqual(32);
      }),
    );
  });
});

describe('ChatRoom', () => {
  it('tells listeners about joins and leaves, once per member', () => {
    const room = new ChatRoom();
    const seen: unknown[] = [];
    const off = room.subscribe((e: unknown) => seen.push(e));
    const ada = room.join('Ada', async () => {});
    const guest = room.join('', async () => {});
    room.leave(ada);
    room.leave(ada);
    off();
    room.leave(guest);
    expect(seen).toEqual([
      { type: 'join', name: 'Ada', online: 1 },
      { type: 'join', name: 'guest-1', online: 2 },
      { type: 'leave', name: 'Ada', online: 1 },
    ]);
    expect(room.online).toBe(0);
  });

  it('delivers to every member even when one delivery fails, and keeps 20 messages', async () => {
    const room = new ChatRoom();
    const got: string[] = [];
    const ada = room.join('Ada', async (m: { text: string }) => {
      got.push(`ada:${m.text}`);
    });
    room.join('Broken', async () => {
      throw new Error('socket closed');
    });
    room.join('Bob', async (m: { text: string }) => {
      got.push(`bob:${m.text}`);
    });
    for (let i = 1; i <= 25; i++) await room.broadcast(ada, String(i));
    expect(got.slice(0, 2)).toEqual(['ada:1', 'bob:1']);
    expect(got).toHaveLength(50);
    expect(room.messageCount).toBe(25);
    expect(room.history.map((m: { text: string }) => m.text)).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i + 6)),
    );
  });

  it('a throwing listener does not stop the others', () => {
    const room = new ChatRoom();
    const seen: string[] = [];
    room.subscribe(() => {
      throw new Error('boom');
    });
    room.subscribe((e: { name: string }) => seen.push(e.name));
    room.join('Ada', async () => {});
    expect(seen).toEqual(['Ada']);
  });
});
