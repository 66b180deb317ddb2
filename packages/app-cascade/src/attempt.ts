/**
 * One app's turn in a cascade: a `receive` that replays what earlier apps already read, and a
 * `send` that either swallows a refusal (so the next app may answer) or streams everything
 * straight to the client, each `send` awaited (the client's backpressure reaches the app).
 */
import type { ConnectionScope, Receive, ReceiveEvent, Send, SendEvent } from '@pagi/spec';
import { respond } from '@pagi/spec/middleware';

/** The request events read so far, shared by every attempt of one connection. */
export class RequestLog {
  /** Events in arrival order; null once too large to replay (or no longer needed). */
  events: ReceiveEvent[] | null = [];
  bytes = 0;
  constructor(
    readonly receive: Receive,
    readonly limit: number,
  ) {}

  /** Reads from the client, keeping the event for later attempts while it fits in `limit`. */
  async read(): Promise<ReceiveEvent> {
    const event = await this.receive();
    const log = this.events;
    // Disconnects are not kept: the server repeats them to every later receive() (D-7).
    if (log !== null && !event.type.endsWith('.disconnect')) {
      this.bytes += payloadSize(event);
      if (this.bytes > this.limit) this.events = null;
      else log.push(event);
    }
    return event;
  }
}

function payloadSize(event: ReceiveEvent): number {
  const e = event as { body?: Uint8Array; bytes?: Uint8Array; text?: string };
  if (e.body !== undefined) return e.body.byteLength;
  if (e.bytes !== undefined) return e.bytes.byteLength;
  if (e.text !== undefined) return Buffer.byteLength(e.text);
  return 0;
}

/** Where an attempt stands. */
enum State {
  /** Nothing sent yet. */
  Open = 0,
  /** A refusal with a cascading status was swallowed; the rest of that answer is dropped. */
  Refused = 1,
  /** The answer goes to the client. */
  Passing = 2,
  /** A refusal too large to hold had to go out as a plain status; the app's events are dropped. */
  Dropping = 3,
}

/** The status of a refusal that may cascade, or undefined for any other event. */
function refusalStatus(event: SendEvent): number | undefined {
  switch (event.type) {
    case 'http.response.start':
    case 'sse.http.response.start':
    case 'websocket.http.response.start':
      return event.status;
    // A WebSocket closed before accept is what a 404 becomes without the denial extension
    // (respond() of @pagi/spec/middleware): it counts as 404.
    case 'websocket.close':
      return 404;
    default:
      return undefined;
  }
}

export class Attempt {
  state = State.Open;
  /** The swallowed refusal, kept in case the cascade has to stop after all (see `read`). */
  held: SendEvent[] = [];
  heldBytes = 0;
  heldStatus = 0;
  private replayed = 0;
  readonly receive: Receive;
  readonly send: Send;

  constructor(
    private readonly scope: ConnectionScope,
    private readonly log: RequestLog,
    private readonly client: Send,
    private readonly caught: ReadonlySet<number>,
    /** false for the last app: its answer is final whatever the status. */
    private readonly mayRefuse: boolean,
    private readonly holdLimit: number,
  ) {
    this.receive = () => this.read();
    this.send = (event) => this.forward(event);
  }

  /** True when the next app may try: this one refused and the request can still be replayed. */
  get cascades(): boolean {
    return this.state === State.Refused && this.log.events !== null;
  }

  private async read(): Promise<ReceiveEvent> {
    const log = this.log.events;
    // The index moves on the call, not on resolution, so two concurrent calls never get the
    // same event (D-15).
    if (log !== null && this.replayed < log.length) return log[this.replayed++]!;
    if (log === null) return this.log.receive();
    this.replayed = Number.POSITIVE_INFINITY;
    const event = await this.log.read();
    if (this.log.events === null) await this.overflowed();
    return event;
  }

  /**
   * The body outgrew the replay limit: no later app can see it, so this app's answer is the
   * final one, including a refusal already swallowed (sent now, as held so far).
   */
  private async overflowed(): Promise<void> {
    if (this.state === State.Refused) await this.flushRefusal();
  }

  private async forward(event: SendEvent): Promise<void> {
    if (this.state === State.Passing) return this.client(event);
    if (this.state === State.Refused) return this.hold(event);
    if (this.state === State.Dropping) return;
    const status = refusalStatus(event);
    if (this.mayRefuse && status !== undefined && this.caught.has(status) && this.log.events !== null) {
      this.state = State.Refused;
      this.heldStatus = status;
      return this.hold(event);
    }
    this.state = State.Passing;
    // The response goes out now: later apps will never read the request.
    this.log.events = null;
    return this.client(event);
  }

  private hold(event: SendEvent): void {
    if (this.heldBytes > this.holdLimit) return;
    const body = (event as { body?: Uint8Array | string }).body;
    // A body may be given as a string (BodyInput): count its UTF-8 bytes.
    this.heldBytes +=
      body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    // Past the limit the held answer is incomplete: flushRefusal sends a plain status instead.
    if (this.heldBytes <= this.holdLimit) this.held.push(event);
  }

  /**
   * The cascade stops at a refusal already swallowed: it goes out as it was held, or, when it
   * was larger than the hold limit, as a plain response with its status.
   */
  private async flushRefusal(): Promise<void> {
    const held = this.held;
    this.held = [];
    if (this.heldBytes > this.holdLimit) {
      this.state = State.Dropping;
      await respond(this.scope, this.client as never, this.heldStatus);
      return;
    }
    this.state = State.Passing;
    for (const event of held) await this.client(event);
  }
}
