/**
 * The chat room: who is connected and the recent messages. Plain JavaScript with no PAGI in
 * it, so the protocol handlers stay thin and the room can be tested on its own. One room lives
 * in the lifespan state, so it is shared by every connection of one process (not across
 * workers: each `pagi-server --workers N` process has its own room).
 */

/** How many messages a newcomer gets in its welcome. */
const HISTORY_SIZE = 20;
/** Longest display name kept, in UTF-16 code units. */
const MAX_NAME_LENGTH = 32;

/**
 * Cleans a display name: control characters removed, whitespace collapsed, length capped.
 * Returns `undefined` when nothing usable is left.
 *
 * @example
 * cleanName('  Ada\n Lovelace ') // 'Ada Lovelace'
 */
export function cleanName(raw) {
  if (typeof raw !== 'string') return undefined;
  const name = raw
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NAME_LENGTH);
  return name === '' ? undefined : name;
}

/**
 * A room of members, each with a `deliver(message)` callback, and presence listeners.
 *
 * @example
 * const room = new ChatRoom();
 * const off = room.subscribe((event) => console.log(event.type, event.name, event.online));
 * const ada = room.join('Ada', async (msg) => console.log('to Ada:', msg.text));
 * await room.broadcast(ada, 'hello');
 * room.leave(ada);
 * off();
 */
export class ChatRoom {
  #members = new Set();
  #listeners = new Set();
  #history = [];
  #guests = 0;
  #sent = 0;
  #closed = false;

  /** Members connected right now. */
  get online() {
    return this.#members.size;
  }

  /** Messages broadcast since the room opened. */
  get messageCount() {
    return this.#sent;
  }

  /** The last few messages, oldest first. */
  get history() {
    return this.#history.slice();
  }

  /** Adds a member (a missing or empty name becomes `guest-N`) and tells the listeners. */
  join(name, deliver) {
    if (this.#closed) throw new Error('expected an open chat room to join, got one closed at shutdown');
    const member = { name: cleanName(name) ?? `guest-${++this.#guests}`, deliver };
    this.#members.add(member);
    this.#emit({ type: 'join', name: member.name, online: this.#members.size });
    return member;
  }

  /** Removes a member; a second call for the same member does nothing. */
  leave(member) {
    if (!this.#members.delete(member)) return;
    this.#emit({ type: 'leave', name: member.name, online: this.#members.size });
  }

  /**
   * Sends `text` from `member` to every member, the sender included. Deliveries run side by
   * side, so one slow or dying socket does not hold the others back, and a failed delivery
   * (a socket that closed meanwhile) is ignored: its own handler will call `leave`.
   */
  async broadcast(member, text) {
    const message = { type: 'message', from: member.name, text, at: new Date().toISOString() };
    this.#sent++;
    this.#history.push(message);
    if (this.#history.length > HISTORY_SIZE) this.#history.shift();
    await Promise.allSettled([...this.#members].map((m) => m.deliver(message)));
    return message;
  }

  /** Calls `listener(event)` on every join and leave; returns the function that stops it. */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forgets everyone; joining afterwards throws. Called at lifespan shutdown. */
  close() {
    this.#closed = true;
    this.#members.clear();
    this.#listeners.clear();
  }

  #emit(event) {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (an SSE stream mid-teardown) must not stop the others.
      }
    }
  }
}
