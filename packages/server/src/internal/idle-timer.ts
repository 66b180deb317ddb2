import { now } from './clock.js';

/** What an {@link IdleTimer} reports to: the connection it watches. */
export interface IdleOwner {
  /**
   * A counter that moves while the connection is busy in a way `touch()` does not see (a
   * WebSocket's socket `bytesRead`: a message still arriving in pieces), or a constant.
   */
  progress(): number;
  /** Nothing happened for the whole timeout: end the connection. Must not throw. */
  onIdle(): void;
}

function onTimer(timer: IdleTimer): void {
  timer.fire();
}

/**
 * One idle deadline per long-lived connection (WebSocket, SSE). Activity only stores a timestamp
 * (`touch()`: one clock read, no timer call), and a single unref'd timer, armed for the timeout,
 * checks it when it fires: idle for the whole timeout → `owner.onIdle()`, otherwise it re-arms for
 * what is left. So a busy connection costs one timer callback per timeout, not a clearTimeout +
 * setTimeout per frame.
 *
 * @example
 * const idle = new IdleTimer(session, 60_000);
 * idle.start();
 * // on every frame:
 * idle.touch();
 */
export class IdleTimer {
  /** `performance.now()` of the last activity. */
  private last = 0;
  /** `owner.progress()` at the last activity. */
  private progressed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly owner: IdleOwner,
    /** The timeout in ms, > 0. */
    readonly ms: number,
  ) {}

  /** Starts (or restarts) the idle period from now. */
  start(): void {
    this.stop();
    this.touch();
    this.arm(this.ms);
  }

  /** Records activity: the idle period restarts from now. */
  touch(): void {
    this.last = now();
    this.progressed = this.owner.progress();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** @internal timer callback */
  fire(): void {
    this.timer = undefined;
    const idleFor = now() - this.last;
    if (idleFor < this.ms) this.arm(this.ms - idleFor);
    // Bytes arrived since the last touch() without one of their own (a message still arriving in
    // pieces): busy at some point in the last period. Counted from now, which may add up to one
    // period, so a connection that is receiving is never closed.
    else if (this.owner.progress() !== this.progressed) this.start();
    else this.owner.onIdle();
  }

  private arm(ms: number): void {
    // Node fires at whole milliseconds of loop time, which may read a fraction early here.
    this.timer = setTimeout(onTimer, Math.max(1, Math.ceil(ms)), this);
    this.timer.unref();
  }
}
