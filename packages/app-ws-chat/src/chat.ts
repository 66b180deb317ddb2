/**
 * `wsChat()`: multi-room JSON chat over WebSocket on a channel layer (`@pagi/channels`). Every
 * room is a channel (its events: messages, presence, renames) plus a group listing its members; a
 * `rooms` group lists the rooms. Both live in the layer's backend, so with Redis every worker and machine
 * shares rooms, members and messages.
 */
import { randomBytes } from 'node:crypto';
import {
  type ChannelLayer,
  type ChannelMessage,
  CloseCode,
  assertChannelLayer,
  isPagiError,
  PagiValidationError,
  type Receive,
  type Scope,
  type Send,
  type Subscription,
} from '@pagi/spec';
import { refuseScope } from '@pagi/spec/middleware';
import { NICKNAME, parseClientMessage, ROOM, type ServerMessage } from './protocol.js';

export interface WsChatOptions {
  /** Required: the channel layer, `createChannelLayer()` from `@pagi/channels` (one per process; a Redis backend spans workers). */
  layer: ChannelLayer;
  /** Room every connection joins first. Default `'lobby'`. */
  defaultRoom?: string;
  /** Rooms that may exist at once (across every worker). Default `100`. */
  maxRooms?: number;
  /** Rooms one connection may be in at once. Default `10`. */
  maxJoinedRooms?: number;
  /** Largest client frame, in bytes (UTF-8); a larger one closes the connection with 1009. Default `4096`. */
  maxMessageBytes?: number;
  /** Prefix of every channel and group name the chat uses. Default `'chat:'`. */
  prefix?: string;
}

const KNOWN: ReadonlySet<string> = new Set([
  'layer',
  'defaultRoom',
  'maxRooms',
  'maxJoinedRooms',
  'maxMessageBytes',
  'prefix',
]);

function fail(message: string): never {
  throw new PagiValidationError(`wsChat(): ${message}`);
}

function count(name: string, value: unknown, fallback: number): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    fail(`expected ${name} to be a whole number ≥ 1, got ${String(value)}`);
  }
  return n;
}

/** A room event on its channel: a {@link ServerMessage} plus, for the sender, its `user_id` to skip. */
type RoomEvent = ServerMessage & { user_id?: string };

// One JSON text per published event and process, however many members receive it.
const encoded = new WeakMap<object, string>();
function encodeOnce(data: object): string {
  let text = encoded.get(data);
  if (text === undefined) {
    text = JSON.stringify(data);
    encoded.set(data, text);
  }
  return text;
}

/**
 * Creates the chat app.
 *
 * @throws PagiValidationError without a channel layer, for an unknown option or a bad value (the message names it).
 * @example
 * import { createChannelLayer, redisBackend } from '@pagi/channels';
 * const layer = createChannelLayer({ backend: redisBackend({ url: process.env.REDIS_URL }) });
 * export default wsChat({ layer, defaultRoom: 'lobby' });
 */
export function wsChat(options: WsChatOptions) {
  // Checked first: without a layer (the option every app needs) nothing else is worth reporting.
  assertChannelLayer(options?.layer, 'wsChat()');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) fail(`unknown option '${key}'`);
  const layer = options.layer;
  const defaultRoom = options.defaultRoom ?? 'lobby';
  if (typeof defaultRoom !== 'string' || !ROOM.test(defaultRoom)) {
    fail(`expected defaultRoom to match ${ROOM}, got ${JSON.stringify(defaultRoom)}`);
  }
  const maxRooms = count('maxRooms', options.maxRooms, 100);
  const maxJoined = count('maxJoinedRooms', options.maxJoinedRooms, 10);
  const maxBytes = count('maxMessageBytes', options.maxMessageBytes, 4096);
  const prefix = options.prefix ?? 'chat:';
  if (typeof prefix !== 'string' || prefix.length > 64)
    fail('expected prefix to be a string of at most 64 characters');
  const names = {
    channel: (room: string) => `${prefix}room:${room}`,
    members: (room: string) => `${prefix}members:${room}`,
    rooms: `${prefix}rooms`,
  };

  return async function wsChatApp(scope: Scope, receive: Receive, send: Send): Promise<void> {
    if (scope.type === 'lifespan') return; // the layer is the caller's: nothing to start or stop
    if (await refuseScope(scope, send, 'websocket')) return;
    const recv = receive as Receive<'websocket'>;
    const out = send as Send<'websocket'>;
    await recv(); // websocket.connect
    await out({ type: 'websocket.accept' });
    const session = new ChatSession(layer, names, out, { maxRooms, maxJoined });
    await session.start(defaultRoom);
    try {
      for (;;) {
        const event = await recv();
        if (event.type === 'websocket.disconnect') break;
        if (event.type !== 'websocket.receive') continue;
        if (event.text === undefined) {
          await session.reply({ type: 'error', message: 'expected a JSON text message, got binary' });
          continue;
        }
        // A UTF-16 length within a third of the limit cannot exceed it in UTF-8: skip measuring.
        if (event.text.length * 3 > maxBytes && Buffer.byteLength(event.text) > maxBytes) {
          await out({ type: 'websocket.close', code: CloseCode.messageTooBig, reason: 'message too big' });
          break;
        }
        await session.handle(event.text);
      }
    } finally {
      await session.end();
    }
  };
}

interface Names {
  channel(room: string): string;
  members(room: string): string;
  rooms: string;
}

/** One connection: its id, nickname, joined rooms (a subscription each) and the commands it sends. */
class ChatSession {
  readonly id = randomBytes(6).toString('hex');
  username = `user_${this.id}`;
  readonly rooms = new Map<string, { sub: Subscription; pump: Promise<void> }>();

  constructor(
    private readonly layer: ChannelLayer,
    private readonly names: Names,
    private readonly out: Send<'websocket'>,
    private readonly limits: { maxRooms: number; maxJoined: number },
  ) {}

  reply(message: ServerMessage): Promise<void> {
    return this.out({ type: 'websocket.send', text: JSON.stringify(message) });
  }

  #member(name = this.username): string {
    return `${this.id} ${name}`;
  }

  /** Room events wait for this: the welcome is always a client's first message. */
  #welcomed: Promise<void> = Promise.resolve();

  /**
   * Joins the default room, then welcomes: once a client has its welcome it is in the room (and
   * listed in it, on every worker), as upstream.
   */
  async start(room: string): Promise<void> {
    let welcomed!: () => void;
    this.#welcomed = new Promise((resolve) => {
      welcomed = resolve;
    });
    await this.#guard(() => this.#join(room, false));
    await this.reply({ type: 'welcome', user_id: this.id, username: this.username, room });
    welcomed();
  }

  /** Runs a command; a backend outage is answered with an error message, never a disconnect. */
  async #guard(command: () => Promise<void>): Promise<void> {
    try {
      await command();
    } catch (error) {
      if (!isPagiError(error)) throw error;
      await this.reply({ type: 'error', message: 'chat unavailable, try again later' });
    }
  }

  async handle(text: string): Promise<void> {
    const data = parseClientMessage(text);
    if (typeof data === 'string') return this.reply({ type: 'error', message: data });
    await this.#guard(async () => {
      switch (data.type) {
        case 'message':
          return this.#message(data.message, data.room);
        case 'join':
          return this.#join(data.room ?? undefined, true);
        case 'leave':
          return this.#leave(data.room, true);
        case 'nick':
          return this.#nick(data.username);
        case 'list':
          return this.#list(data.room);
        default:
          return this.#roomList();
      }
    });
  }

  #room(room: unknown): string | undefined {
    return typeof room === 'string' && ROOM.test(room) ? room : undefined;
  }

  async #message(message: unknown, room: unknown): Promise<void> {
    if (typeof message !== 'string') {
      return this.reply({ type: 'error', message: 'expected "message" to be a string' });
    }
    let targets: string[];
    if (room === undefined) targets = [...this.rooms.keys()];
    else if (typeof room === 'string' && this.rooms.has(room)) targets = [room];
    else return this.reply({ type: 'error', message: `not in room ${JSON.stringify(room)}` });
    const timestamp = Math.floor(Date.now() / 1000);
    for (const target of targets) {
      await this.#publish(target, {
        type: 'message',
        room: target,
        user_id: this.id,
        username: this.username,
        message,
        timestamp,
      });
    }
  }

  #publish(room: string, event: RoomEvent): Promise<number> {
    return this.layer.publish(this.names.channel(room), event as unknown as ChannelMessage);
  }

  async #members(room: string): Promise<{ id: string; name: string }[]> {
    const members = await this.layer.groupMembers(this.names.members(room));
    return members.map((member) => {
      const space = member.indexOf(' ');
      return { id: member.slice(0, space), name: member.slice(space + 1) };
    });
  }

  async #join(requested: unknown, confirm: boolean): Promise<void> {
    const room = requested === undefined ? undefined : this.#room(requested);
    if (room === undefined) {
      return this.reply({ type: 'error', message: `expected "room" to match ${ROOM}` });
    }
    if (this.rooms.has(room)) return this.reply({ type: 'joined', room });
    if (this.rooms.size >= this.limits.maxJoined) {
      return this.reply({
        type: 'error',
        message: `already in ${this.limits.maxJoined} rooms (the most allowed)`,
      });
    }
    const existing = await this.layer.groupMembers(this.names.rooms);
    if (!existing.includes(room) && existing.length >= this.limits.maxRooms) {
      return this.reply({ type: 'error', message: 'Max rooms reached' });
    }
    if ((await this.#members(room)).some((m) => m.name === this.username && m.id !== this.id)) {
      return this.reply({ type: 'error', message: `nickname ${this.username} is taken in room ${room}` });
    }
    // Subscribed before announcing: what the room says from now on reaches this connection.
    const sub = await this.layer.subscribe(this.names.channel(room));
    this.rooms.set(room, { sub, pump: this.#pump(sub) });
    await this.layer.groupAdd(this.names.rooms, room);
    await this.layer.groupAdd(this.names.members(room), this.#member());
    await this.#publish(room, { type: 'user_joined', room, user_id: this.id, username: this.username });
    if (confirm) await this.reply({ type: 'joined', room });
  }

  /** Forwards a room's events to this client, except its own (upstream sends a sender nothing back). */
  async #pump(sub: Subscription): Promise<void> {
    await this.#welcomed;
    try {
      for await (const event of sub) {
        const data = event.data as unknown as RoomEvent;
        if (typeof data !== 'object' || data === null || data.user_id === this.id) continue;
        await this.out({ type: 'websocket.send', text: encodeOnce(data) });
      }
    } catch {
      // Fell bufferSize behind under slowConsumer 'disconnect' (or the layer failed): the client
      // leaves that room (others see user_left) and is told; it may join again.
      for (const [room, entry] of this.rooms) {
        if (entry.sub !== sub) continue;
        this.rooms.delete(room);
        try {
          await this.layer.groupDiscard(this.names.members(room), this.#member());
          await this.#publish(room, { type: 'user_left', room, user_id: this.id, username: this.username });
        } catch {
          // The backend is down too: the membership goes stale until it is back (see README).
        }
        await this.reply({ type: 'error', message: `fell behind in room ${room} and left it` });
        await this.reply({ type: 'left', room });
      }
    }
  }

  async #leave(requested: unknown, confirm: boolean): Promise<void> {
    const room = this.#room(requested);
    const entry = room === undefined ? undefined : this.rooms.get(room);
    if (room === undefined || entry === undefined) {
      return this.reply({ type: 'error', message: `not in room ${JSON.stringify(requested ?? null)}` });
    }
    this.rooms.delete(room);
    entry.sub.unsubscribe();
    await entry.pump;
    await this.layer.groupDiscard(this.names.members(room), this.#member());
    await this.#publish(room, { type: 'user_left', room, user_id: this.id, username: this.username });
    if ((await this.layer.groupMembers(this.names.members(room))).length === 0) {
      await this.layer.groupDiscard(this.names.rooms, room);
    }
    if (confirm) await this.reply({ type: 'left', room });
  }

  async #nick(username: unknown): Promise<void> {
    if (typeof username !== 'string' || !NICKNAME.test(username)) {
      return this.reply({
        type: 'error',
        message: 'expected "username" of 1 to 20 letters, digits, "_" or "-"',
      });
    }
    if (username === this.username) return this.reply({ type: 'nick', username });
    for (const room of this.rooms.keys()) {
      if ((await this.#members(room)).some((m) => m.name === username && m.id !== this.id)) {
        return this.reply({ type: 'error', message: `nickname ${username} is taken in room ${room}` });
      }
    }
    const previous = this.username;
    this.username = username;
    for (const room of this.rooms.keys()) {
      await this.layer.groupAdd(this.names.members(room), this.#member());
      await this.layer.groupDiscard(this.names.members(room), this.#member(previous));
      await this.#publish(room, { type: 'nick', room, user_id: this.id, username, previous });
    }
    await this.reply({ type: 'nick', username });
  }

  async #list(requested: unknown): Promise<void> {
    const room = this.#room(requested);
    if (room === undefined) return this.reply({ type: 'error', message: `expected "room" to match ${ROOM}` });
    const users = (await this.#members(room)).map((m) => m.name).sort();
    await this.reply({ type: 'users', room, users });
  }

  async #roomList(): Promise<void> {
    const rooms: { name: string; count: number }[] = [];
    for (const name of (await this.layer.groupMembers(this.names.rooms)).sort()) {
      rooms.push({ name, count: (await this.layer.groupMembers(this.names.members(name))).length });
    }
    await this.reply({ type: 'rooms', rooms });
  }

  /** The connection ended: leave every room (others see `user_left`); a backend outage is ignored. */
  async end(): Promise<void> {
    for (const room of [...this.rooms.keys()]) {
      try {
        await this.#leave(room, false);
      } catch {
        const entry = this.rooms.get(room);
        entry?.sub.unsubscribe();
        this.rooms.delete(room);
      }
    }
  }
}
