/**
 * The outbound state machine of a `lifespan` scope (protocol.md §5.4):
 *
 *   startup-pending --startup.complete | startup.failed--> running
 *   running --shutdown.complete | shutdown.failed--> finished
 *
 * The validator cannot see when the server sent `lifespan.shutdown`, so a shutdown reply is
 * allowed any time after the startup reply.
 */
import { LifespanEvents } from '../event-types.js';
import type { SendValidator, SendVerdict } from '../send-validator.js';
import { checkString } from './fields.js';
import { asEvent, expectedBefore, notAllowed, unknownType } from './send-common.js';

export type LifespanSendState = 'startup-pending' | 'running' | 'finished';

const KNOWN: readonly string[] = [
  LifespanEvents.startupComplete,
  LifespanEvents.startupFailed,
  LifespanEvents.shutdownComplete,
  LifespanEvents.shutdownFailed,
];

export class LifespanSendValidator implements SendValidator {
  #state: LifespanSendState = 'startup-pending';
  readonly #fields: boolean;

  constructor(fields: boolean) {
    this.#fields = fields;
  }

  get state(): LifespanSendState {
    return this.#state;
  }

  get finished(): boolean {
    return this.#state === 'finished';
  }

  check(event: unknown): SendVerdict {
    const e = asEvent(event, 'lifespan', KNOWN);
    const type = e.type as string;
    switch (type) {
      case LifespanEvents.startupComplete:
      case LifespanEvents.startupFailed:
        if (this.#state !== 'startup-pending')
          throw notAllowed(type, 'after startup was answered', this.#state);
        if (this.#fields) checkString(e.message, type, 'message', false);
        this.#state = 'running';
        return 'send';
      case LifespanEvents.shutdownComplete:
      case LifespanEvents.shutdownFailed:
        if (this.#state === 'startup-pending') {
          throw expectedBefore(
            `'${LifespanEvents.startupComplete}' or '${LifespanEvents.startupFailed}'`,
            type,
            this.#state,
          );
        }
        if (this.#state === 'finished') throw notAllowed(type, 'after shutdown was answered', this.#state);
        if (this.#fields) checkString(e.message, type, 'message', false);
        this.#state = 'finished';
        return 'send';
      default:
        throw unknownType(type, 'lifespan', KNOWN);
    }
  }
}
