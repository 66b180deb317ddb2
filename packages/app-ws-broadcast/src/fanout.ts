/**
 * Local fan-out: the app holds ONE channel-layer subscription per channel in this process and
 * hands each message to every local connection in one synchronous loop, as a bare `ws`
 * broadcast does. (A subscription per connection costs an async-iterator step and several
 * microtask hops per connection and message: 1.6× the server CPU per delivery at 1,000
 * subscribers; see apps/bench/ws-broadcast.mjs.)
 *
 * Slow consumers keep the channel layer's policy, applied per connection: a connection whose
 * `send()` is still pending (the server holds more than its write high-water mark for it) gets
 * later messages queued, at most `bufferSize` of them; when that queue is full, `'drop-oldest'`
 * discards the oldest, `'disconnect'` closes the connection with 1008.
 */
import {
  type ChannelLayer,
  CloseCode,
  type Send,
  type SlowConsumerPolicy,
  type Subscription,
} from '@pagi/spec';
import { decodeBroadcast } from './wire.js';

/**
 * One message, built once and handed as-is to every connection's `send()`: events are plain data
 * that the server only reads (protocol.md §2), so one frozen object serves them all and the loop
 * allocates nothing per connection.
 */
type Frame = Readonly<
  { type: 'websocket.send'; text: string } | { type: 'websocket.send'; bytes: Uint8Array }
>;

/**
 * A `send()` promise already seen resolved. Servers return one shared, already-resolved promise
 * while the connection is below its write high-water mark (`@pagi/server` does); when `send()`
 * hands back that very object again, it is known to be resolved, so the connection stays
 * unblocked at once instead of waiting a `then()` and a microtask per connection and message.
 * A promise never changes state once settled, so remembering one is always sound.
 */
let settled: Promise<void> | undefined;

/** One local connection of a channel. */
export class Member {
  // Held until open(): messages that arrive before the handshake is accepted wait in the queue.
  #blocked = true;
  #queue: Frame[] = [];
  #closed = false;
  /** The last pending `send()`; #drained runs when it resolved. */
  #pending: Promise<void> | undefined;
  dropped = 0;

  constructor(
    readonly origin: string,
    readonly echoSelf: boolean,
    private readonly send: Send<'websocket'>,
    private readonly bufferSize: number,
    private readonly policy: SlowConsumerPolicy,
    private readonly onKick: (member: Member) => void,
  ) {}

  offer(frame: Frame): void {
    if (this.#closed) return;
    if (!this.#blocked) {
      this.#write(frame);
      return;
    }
    if (this.#queue.length >= this.bufferSize) {
      if (this.policy === 'disconnect') {
        this.close(CloseCode.policyViolation, 'slow consumer');
        this.onKick(this);
        return;
      }
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(frame);
  }

  #write(frame: Frame): void {
    // Resolves at once below the server's write high-water mark (the common case: the next
    // message finds the connection unblocked); later when the client reads slowly.
    const pending = this.send(frame);
    if (pending === settled) return;
    this.#blocked = true;
    this.#pending = pending;
    pending.then(this.#drained, this.#failed);
  }

  #drained = (): void => {
    // Called by the `then()` of #pending (so it has resolved), or by open() before any write.
    if (this.#pending !== undefined) settled = this.#pending;
    this.#blocked = false;
    // A write whose send() is known resolved leaves the connection unblocked: keep going.
    while (!this.#blocked && !this.#closed) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      this.#write(next);
    }
  };

  #failed = (): void => {
    this.#closed = true;
    this.#queue = [];
  };

  /** The handshake is accepted: deliver what waited. */
  open(): void {
    this.#drained();
  }

  /** The connection ended: deliver nothing more. */
  detach(): void {
    this.#closed = true;
    this.#queue = [];
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.send({ type: 'websocket.close', code, reason }).catch(() => {});
  }
}

/** The connections of one channel in this process and the one subscription that feeds them. */
export class Fanout {
  readonly members = new Set<Member>();
  #sub: Subscription | undefined;

  constructor(
    readonly channel: string,
    private readonly onEmpty: (fanout: Fanout) => void,
  ) {}

  /** Subscribes and starts delivering; rejects when the layer cannot subscribe. */
  async start(layer: ChannelLayer): Promise<void> {
    // Drained synchronously per message, so its queue only fills if the whole process stalls.
    const sub = await layer.subscribe(this.channel, { slowConsumer: 'drop-oldest' });
    this.#sub = sub;
    if (this.members.size === 0) {
      this.stop();
      return;
    }
    void this.#run(sub);
  }

  async #run(sub: Subscription): Promise<void> {
    try {
      for await (const event of sub) {
        const message = decodeBroadcast(event.data);
        if (message === undefined) continue;
        const frame: Frame = Object.freeze(
          message.text !== undefined
            ? { type: 'websocket.send', text: message.text }
            : { type: 'websocket.send', bytes: message.bytes as Uint8Array },
        );
        for (const member of this.members) {
          if (member.echoSelf || member.origin !== message.origin) member.offer(frame);
        }
      }
    } catch {
      // The layer ended the subscription with an error: fall through and close the connections.
    }
    // Unsubscribed by stop() (no members left), or the layer closed: nothing more will arrive.
    for (const member of this.members) member.close(CloseCode.goingAway, 'channel closed');
  }

  leave(member: Member): void {
    this.members.delete(member);
    if (this.members.size === 0) this.stop();
  }

  stop(): void {
    this.onEmpty(this);
    this.#sub?.unsubscribe();
  }
}
