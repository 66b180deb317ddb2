/**
 * One request under a deadline: the single timer, the wrapped `send` and `receive` the inner app
 * gets, and the promise the middleware returns.
 */
import type { HttpScope, ProtocolApp, Receive, ReceiveEvent, Send, SendEvent } from '@pagi/spec';
import { respond } from '@pagi/spec/middleware';
import { RequestTimeoutError } from './errors.js';

type HttpReceiveEvent = ReceiveEvent<'http'>;
const DISCONNECT: HttpReceiveEvent = { type: 'http.disconnect' } as HttpReceiveEvent;
const DONE: Promise<void> = Promise.resolve();

/** What the middleware answers when the deadline passes before the response started. */
export interface TimeoutAnswer {
  ms: number;
  status: number;
  body: string;
}

export class Deadline {
  private started = false;
  private completed = false;
  private expired = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Settles once, at the deadline; every pending wrapped call races it. */
  private readonly passed: Promise<void>;
  private readonly disconnected: Promise<HttpReceiveEvent>;
  private firePassed!: () => void;
  private resolveRun!: () => void;
  private rejectRun!: (error: unknown) => void;

  constructor(
    private readonly scope: HttpScope,
    private readonly innerReceive: Receive<'http'>,
    private readonly innerSend: Send<'http'>,
    private readonly answer: TimeoutAnswer,
  ) {
    this.passed = new Promise<void>((resolve) => {
      this.firePassed = resolve;
    });
    this.disconnected = this.passed.then(() => DISCONNECT);
    this.send = this.send.bind(this);
    this.receive = this.receive.bind(this);
  }

  run(app: ProtocolApp<'http'>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.resolveRun = resolve;
      this.rejectRun = reject;
      this.timer = setTimeout(() => this.expire(), this.answer.ms);
      let running: Promise<unknown>;
      try {
        running = Promise.resolve(app(this.scope, this.receive, this.send));
      } catch (error) {
        running = Promise.reject(error);
      }
      running.then(
        () => this.finish(undefined, false),
        (error: unknown) => this.finish(error, true),
      );
    });
  }

  /** The inner app returned or threw. After the deadline its outcome no longer matters. */
  private finish(error: unknown, failed: boolean): void {
    clearTimeout(this.timer);
    if (this.expired) return;
    if (failed) this.rejectRun(error);
    else this.resolveRun();
  }

  private expire(): void {
    this.expired = true;
    this.firePassed();
    if (this.completed) {
      this.resolveRun();
    } else if (!this.started) {
      const { status, body } = this.answer;
      // The client may be gone already: then there is nobody to answer, and nothing to report.
      respond(this.scope, this.innerSend, status, { body }).then(this.resolveRun, this.resolveRun);
    } else {
      this.rejectRun(new RequestTimeoutError(this.answer.ms));
    }
  }

  /** The inner app's `send`: forwarded until the deadline, a no-op after it (pending ones too). */
  send(event: SendEvent<'http'>): Promise<void> {
    if (this.expired) return DONE;
    if (event.type === 'http.response.start') this.started = true;
    else if (event.type === 'http.response.body' && event.more !== true) {
      this.completed = true;
      // The response is complete: the deadline has nothing left to guard.
      clearTimeout(this.timer);
    }
    return Promise.race([this.innerSend(event), this.passed]);
  }

  /** The inner app's `receive`: `http.disconnect` from the deadline on. */
  receive(): Promise<HttpReceiveEvent> {
    if (this.expired) return Promise.resolve(DISCONNECT);
    return Promise.race([this.innerReceive(), this.disconnected]);
  }
}
